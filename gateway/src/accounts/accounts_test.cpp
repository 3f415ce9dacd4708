#include "accounts/accounts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accounts/mock_account_repository.h"
#include "shared/errors/errors.h"

namespace storefront::gateway::accounts {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::StrictMock;
using ::testing::Throw;

constexpr const char* kStandIn = "$argon2id$stand-in";

Account Stored(const std::string& email, Role role, const std::string& hash) {
  return {"0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11", email, "Ada", role, hash};
}

class AccountsTest : public ::testing::Test {
 protected:
  AccountsTest() {
    // The constructor hashes one random password: the stand-in for unknown emails.
    EXPECT_CALL(*hasher_, Hash(_)).WillOnce(Return(kStandIn));
    accounts_ = std::make_unique<Accounts>(repository_, hasher_);
  }

  std::shared_ptr<StrictMock<MockAccountRepository>> repository_ =
      std::make_shared<StrictMock<MockAccountRepository>>();
  std::shared_ptr<StrictMock<MockPasswordHasher>> hasher_ = std::make_shared<StrictMock<MockPasswordHasher>>();
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsTest, RegisterStoresAShopperWithTheHashNotThePassword) {
  EXPECT_CALL(*hasher_, Hash(std::string_view("correct horse"))).WillOnce(Return("$argon2id$h"));
  EXPECT_CALL(*repository_, Create(AllOf(Field(&AccountRecord::email, "ada@example.com"),
                                         Field(&AccountRecord::name, "Ada"),
                                         Field(&AccountRecord::password_hash, "$argon2id$h"),
                                         Field(&AccountRecord::role, Role::kShopper))))
      .WillOnce(Return(Stored("ada@example.com", Role::kShopper, "$argon2id$h")));
  auto account = accounts_->Register({"ada@example.com", "correct horse", "Ada"});
  EXPECT_EQ(account.email, "ada@example.com");
}

TEST_F(AccountsTest, RegisterLetsAlreadyExistsThrough) {
  EXPECT_CALL(*hasher_, Hash(_)).WillOnce(Return("$argon2id$h"));
  EXPECT_CALL(*repository_, Create(_)).WillOnce(Throw(AlreadyExists("taken")));
  EXPECT_THROW(accounts_->Register({"ada@example.com", "correct horse", "Ada"}), AlreadyExists);
}

TEST_F(AccountsTest, LoginChecksThePasswordAndRecordsTheSignIn) {
  EXPECT_CALL(*repository_, FindByEmail("ada@example.com"))
      .WillOnce(Return(Stored("ada@example.com", Role::kShopper, "$argon2id$h")));
  EXPECT_CALL(*hasher_, Verify("$argon2id$h", std::string_view("correct horse"))).WillOnce(Return(true));
  EXPECT_CALL(*repository_, RecordLogin("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"));
  auto account = accounts_->Login("  Ada@Example.com ", "correct horse");  // normalised like at registration
  ASSERT_TRUE(account);
  EXPECT_EQ(account->role, Role::kShopper);
}

TEST_F(AccountsTest, WrongPasswordIsRefusedWithoutRecordingASignIn) {
  EXPECT_CALL(*repository_, FindByEmail("ada@example.com"))
      .WillOnce(Return(Stored("ada@example.com", Role::kShopper, "$argon2id$h")));
  EXPECT_CALL(*hasher_, Verify("$argon2id$h", std::string_view("wrong"))).WillOnce(Return(false));
  EXPECT_FALSE(accounts_->Login("ada@example.com", "wrong"));
}

TEST_F(AccountsTest, UnknownEmailStillCostsOneHashVerification) {
  EXPECT_CALL(*repository_, FindByEmail("nobody@example.com")).WillOnce(Return(std::nullopt));
  // Exactly the work a known email costs, against the stand-in hash.
  EXPECT_CALL(*hasher_, Verify(kStandIn, std::string_view("whatever"))).WillOnce(Return(false));
  EXPECT_FALSE(accounts_->Login("nobody@example.com", "whatever"));
}

TEST_F(AccountsTest, UnknownEmailIsRefusedEvenIfThePasswordMatchesTheStandIn) {
  EXPECT_CALL(*repository_, FindByEmail(_)).WillOnce(Return(std::nullopt));
  EXPECT_CALL(*hasher_, Verify(kStandIn, _)).WillOnce(Return(true));
  EXPECT_FALSE(accounts_->Login("nobody@example.com", "lucky guess"));
}

TEST_F(AccountsTest, EnsureOperatorCreatesOneWithAGeneratedPassword) {
  std::string hashed_password;
  EXPECT_CALL(*repository_, FindByEmail("operator@storefront.local")).WillOnce(Return(std::nullopt));
  EXPECT_CALL(*hasher_, Hash(_)).WillOnce([&](std::string_view password) {
    hashed_password = std::string(password);
    return std::string("$argon2id$op");
  });
  EXPECT_CALL(*repository_, Create(AllOf(Field(&AccountRecord::role, Role::kOperator),
                                         Field(&AccountRecord::password_hash, "$argon2id$op"))))
      .WillOnce(Return(Stored("operator@storefront.local", Role::kOperator, "$argon2id$op")));
  auto result = accounts_->EnsureOperator("operator@storefront.local", std::nullopt);
  EXPECT_EQ(result.outcome, Accounts::OperatorOutcome::kCreated);
  ASSERT_TRUE(result.generated_password);
  EXPECT_EQ(*result.generated_password, hashed_password);
  EXPECT_GE(result.generated_password->size(), 20u);
}

TEST_F(AccountsTest, EnsureOperatorUsesTheGivenPassword) {
  EXPECT_CALL(*repository_, FindByEmail(_)).WillOnce(Return(std::nullopt));
  EXPECT_CALL(*hasher_, Hash(std::string_view("chosen-by-ops"))).WillOnce(Return("$argon2id$op"));
  EXPECT_CALL(*repository_, Create(_)).WillOnce(Return(Stored("ops@example.com", Role::kOperator, "$argon2id$op")));
  auto result = accounts_->EnsureOperator("ops@example.com", "chosen-by-ops");
  EXPECT_EQ(result.outcome, Accounts::OperatorOutcome::kCreated);
  EXPECT_FALSE(result.generated_password);
}

TEST_F(AccountsTest, EnsureOperatorNeverChangesAnExistingAccount) {
  EXPECT_CALL(*repository_, FindByEmail("ops@example.com"))
      .WillOnce(Return(Stored("ops@example.com", Role::kOperator, "$argon2id$old")))
      .WillOnce(Return(Stored("ops@example.com", Role::kShopper, "$argon2id$old")));
  // StrictMock: no Hash and no Create.
  auto again = accounts_->EnsureOperator("ops@example.com", "a-new-password");
  EXPECT_EQ(again.outcome, Accounts::OperatorOutcome::kExists);
  EXPECT_FALSE(again.generated_password);
  auto shopper = accounts_->EnsureOperator("ops@example.com", std::nullopt);
  EXPECT_EQ(shopper.outcome, Accounts::OperatorOutcome::kExistsAsShopper);
}

TEST_F(AccountsTest, EnsureOperatorLosingARaceReportsNoPassword) {
  EXPECT_CALL(*repository_, FindByEmail("ops@example.com"))
      .WillOnce(Return(std::nullopt))
      .WillOnce(Return(Stored("ops@example.com", Role::kOperator, "$argon2id$theirs")));
  EXPECT_CALL(*hasher_, Hash(_)).WillOnce(Return("$argon2id$mine"));
  EXPECT_CALL(*repository_, Create(_)).WillOnce(Throw(AlreadyExists("taken")));
  auto result = accounts_->EnsureOperator("ops@example.com", std::nullopt);
  EXPECT_EQ(result.outcome, Accounts::OperatorOutcome::kExists);
  EXPECT_FALSE(result.generated_password);  // the winner printed its own
}

TEST_F(AccountsTest, ASessionKeepsOnlyTheHashOfItsRefreshToken) {
  SessionRecord stored;
  EXPECT_CALL(*repository_, StartSession(_, "$argon2id$h"))
      .WillOnce(::testing::DoAll(::testing::SaveArg<0>(&stored), Return(true)));
  auto started = accounts_->StartSession(Stored("ada@example.com", Role::kShopper, "$argon2id$h"));
  ASSERT_TRUE(started);
  const Session session = *started;
  EXPECT_EQ(session.refresh_token.size(), 43u);
  EXPECT_EQ(session.expires_in, Accounts::kDefaultSessionTtl);
  EXPECT_EQ(stored.account_id, "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11");
  EXPECT_EQ(stored.token_hash.size(), 64u);  // SHA-256 in hex
  EXPECT_EQ(stored.token_hash.find(session.refresh_token), std::string::npos);

  // Refreshing with it presents the same hash and stores the next token's.
  EXPECT_CALL(*repository_, RotateSession(stored.token_hash, _, Accounts::kDefaultSessionTtl))
      .WillOnce(Return(Rotation{RefreshOutcome::kRotated, Stored("ada@example.com", Role::kOperator, "$argon2id$h")}));
  auto refreshed = accounts_->Refresh(session.refresh_token);
  EXPECT_EQ(refreshed.outcome, RefreshOutcome::kRotated);
  EXPECT_EQ(refreshed.account->role, Role::kOperator);
  EXPECT_NE(refreshed.session.refresh_token, session.refresh_token);
}

TEST_F(AccountsTest, WhatCannotBeARefreshTokenOrAPasswordNeverReachesTheDatabase) {
  // StrictMock: any repository call fails the test.
  EXPECT_EQ(accounts_->Refresh("short").outcome, RefreshOutcome::kUnknown);
  accounts_->Logout(std::string(500, 'x'));
  EXPECT_THROW(accounts_->ChangePassword("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11", "correct horse", "short"),
               InvalidArgument);
}

TEST(GeneratePasswordTest, IsLongRandomAndAlphanumeric) {
  auto first = GeneratePassword();
  EXPECT_EQ(first.size(), 24u);
  for (char c : first) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
  EXPECT_NE(first, GeneratePassword());
  EXPECT_EQ(GeneratePassword(40).size(), 40u);
}

}  // namespace
}  // namespace storefront::gateway::accounts

// GoogleMock doubles of the repository and the hasher, for the use-case tests.
#pragma once

#include <gmock/gmock.h>

#include "accounts/account_repository.h"
#include "accounts/password_hasher.h"

namespace storefront::gateway::accounts {

class MockAccountRepository : public AccountRepository {
 public:
  MOCK_METHOD(Account, Create, (const AccountRecord&), (override));
  MOCK_METHOD(std::optional<Account>, FindByEmail, (const std::string&), (override));
  MOCK_METHOD(std::optional<Account>, FindById, (const std::string&), (override));
  MOCK_METHOD(void, RecordLogin, (const std::string&), (override));
  MOCK_METHOD(bool, StartSession, (const SessionRecord&, const std::string&), (override));
  MOCK_METHOD(Rotation, RotateSession, (const std::string&, const std::string&, std::chrono::seconds), (override));
  MOCK_METHOD(void, EndSession, (const std::string&), (override));
  MOCK_METHOD(void, ChangePasswordHash, (const std::string&, const std::string&), (override));
};

class MockPasswordHasher : public PasswordHasher {
 public:
  MOCK_METHOD(std::string, Hash, (std::string_view), (const, override));
  MOCK_METHOD(bool, Verify, (const std::string&, std::string_view), (const, override));
};

}  // namespace storefront::gateway::accounts

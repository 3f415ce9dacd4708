#include "accounts/accounts.h"

#include <sodium.h>

#include <stdexcept>

#include "accounts/validation.h"
#include "shared/errors/errors.h"
#include "shared/types/digest.h"
#include "shared/types/uuid.h"

namespace storefront::gateway::accounts {

namespace {

constexpr std::size_t kRefreshTokenBytes = 32;

// 32 random bytes, base64url without padding: 43 characters.
std::string NewRefreshToken() {
  unsigned char raw[kRefreshTokenBytes];
  randombytes_buf(raw, sizeof raw);
  char text[sodium_base64_ENCODED_LEN(kRefreshTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

bool LooksLikeARefreshToken(std::string_view token) {
  return token.size() == sodium_base64_ENCODED_LEN(kRefreshTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;
}

// What is stored of a token: SHA-256, in hex. The token is 256 random bits, so a plain hash is
// enough (no salt, no slow hash): nobody can search that space.
std::string TokenHash(std::string_view token) {
  return types::Sha256Hex(token);
}


}  // namespace

Accounts::Accounts(std::shared_ptr<AccountRepository> repository, std::shared_ptr<const PasswordHasher> hasher,
                   std::chrono::seconds session_ttl)
    : repository_(std::move(repository)), hasher_(std::move(hasher)), session_ttl_(session_ttl) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  // Hashing a random password makes a stand-in with the real cost parameters and a real salt.
  stand_in_hash_ = hasher_->Hash(GeneratePassword());
}

Account Accounts::Register(const NewAccount& account) {
  return repository_->Create({account.email, account.name, hasher_->Hash(account.password), Role::kShopper});
}

std::optional<Account> Accounts::Login(std::string_view email, std::string_view password) {
  auto account = repository_->FindByEmail(NormalizeEmail(email));
  if (!account) {
    (void)hasher_->Verify(stand_in_hash_, password);  // spend what a known email costs
    return std::nullopt;
  }
  if (!hasher_->Verify(account->password_hash, password)) return std::nullopt;
  repository_->RecordLogin(account->id);
  return account;
}

Accounts::OperatorBootstrap Accounts::EnsureOperator(const std::string& email,
                                                     const std::optional<std::string>& password) {
  auto existing = repository_->FindByEmail(email);
  if (existing) {
    return {existing->role == Role::kOperator ? OperatorOutcome::kExists : OperatorOutcome::kExistsAsShopper, {}};
  }
  std::optional<std::string> generated;
  if (!password) generated = GeneratePassword();
  try {
    repository_->Create({email, "Operator", hasher_->Hash(password ? *password : *generated), Role::kOperator});
  } catch (const AlreadyExists&) {
    // Another gateway replica starting at the same moment created it first; its password stands.
    auto winner = repository_->FindByEmail(email);
    bool is_operator = winner && winner->role == Role::kOperator;
    return {is_operator ? OperatorOutcome::kExists : OperatorOutcome::kExistsAsShopper, {}};
  }
  return {OperatorOutcome::kCreated, generated};
}

std::optional<Session> Accounts::StartSession(const Account& account) {
  Session session{NewRefreshToken(), session_ttl_};
  if (!repository_->StartSession({TokenHash(session.refresh_token), types::NewUuid(), account.id, session_ttl_},
                                 account.password_hash)) {
    return std::nullopt;
  }
  return session;
}

Refreshed Accounts::Refresh(std::string_view refresh_token) {
  if (!LooksLikeARefreshToken(refresh_token)) return {RefreshOutcome::kUnknown, std::nullopt, {}};
  Session next{NewRefreshToken(), session_ttl_};
  auto rotation = repository_->RotateSession(TokenHash(refresh_token), TokenHash(next.refresh_token), session_ttl_);
  if (rotation.outcome != RefreshOutcome::kRotated) return {rotation.outcome, std::nullopt, {}};
  return {RefreshOutcome::kRotated, std::move(rotation.account), std::move(next)};
}

void Accounts::Logout(std::string_view refresh_token) {
  if (LooksLikeARefreshToken(refresh_token)) repository_->EndSession(TokenHash(refresh_token));
}

PasswordChange Accounts::ChangePassword(const std::string& account_id, std::string_view current, std::string_view next) {
  if (auto problem = CheckPassword(next); !problem.empty()) throw InvalidArgument("new_password", problem);
  auto account = repository_->FindById(account_id);
  if (!account) {
    (void)hasher_->Verify(stand_in_hash_, current);  // the same work either way
    return PasswordChange::kNoAccount;
  }
  if (!hasher_->Verify(account->password_hash, current)) return PasswordChange::kWrongPassword;
  repository_->ChangePasswordHash(account->id, hasher_->Hash(next));
  return PasswordChange::kChanged;
}

std::string GeneratePassword(std::size_t length) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string password(length, '\0');
  // randombytes_uniform draws without modulo bias.
  for (auto& c : password) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return password;
}

}  // namespace storefront::gateway::accounts

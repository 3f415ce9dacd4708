#include "accounts/accounts.h"

#include <sodium.h>

#include <stdexcept>

#include "accounts/validation.h"
#include "shared/errors/errors.h"

namespace storefront::gateway::accounts {

Accounts::Accounts(std::shared_ptr<AccountRepository> repository, std::shared_ptr<const PasswordHasher> hasher)
    : repository_(std::move(repository)), hasher_(std::move(hasher)) {
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

std::string GeneratePassword(std::size_t length) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string password(length, '\0');
  // randombytes_uniform draws without modulo bias.
  for (auto& c : password) c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return password;
}

}  // namespace storefront::gateway::accounts

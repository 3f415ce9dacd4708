// The account use cases: register a shopper, sign in, and create the first operator.
//
// Plain C++ over two interfaces (AccountRepository, PasswordHasher), so accounts_test.cpp runs
// them with mocks; the gateway runs them on its blocking pool because hashing is slow on purpose.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/account.h"
#include "accounts/account_repository.h"
#include "accounts/password_hasher.h"

namespace storefront::gateway::accounts {

class Accounts {
 public:
  // Computes one hash up front (the stand-in for unknown emails, see Login).
  Accounts(std::shared_ptr<AccountRepository> repository, std::shared_ptr<const PasswordHasher> hasher);

  // Creates a shopper from a validated registration (ValidateRegistration); throws AlreadyExists
  // when the email is taken.
  Account Register(const NewAccount& account);

  // The account these credentials belong to, or nullopt. An unknown email and a wrong password
  // get the same nullopt after the same work, one hash verification (for an unknown email,
  // against a stand-in hash of the same cost), so neither the answer nor its timing tells an
  // attacker which emails have accounts.
  std::optional<Account> Login(std::string_view email, std::string_view password);

  enum class OperatorOutcome {
    kCreated,         // a new operator account; generated_password set when none was given
    kExists,          // an operator with that email exists; nothing changed
    kExistsAsShopper  // a shopper has that email; NOT promoted (see EnsureOperator)
  };
  struct OperatorBootstrap {
    OperatorOutcome outcome;
    std::optional<std::string> generated_password;
  };
  // Creates an operator account with `email` (normalised and valid) unless an account with that
  // email exists, using `password` or, without one, a generated password returned once. It never
  // changes an existing account: restarting with another password does not reset it, and a
  // shopper who registered the email first is not made an operator, since whoever chose that
  // shopper's password would then hold operator rights.
  OperatorBootstrap EnsureOperator(const std::string& email, const std::optional<std::string>& password);

 private:
  std::shared_ptr<AccountRepository> repository_;
  std::shared_ptr<const PasswordHasher> hasher_;
  std::string stand_in_hash_;
};

// A random password of `length` ASCII letters and digits from libsodium's CSPRNG
// (24 characters: about 143 bits).
std::string GeneratePassword(std::size_t length = 24);

}  // namespace storefront::gateway::accounts

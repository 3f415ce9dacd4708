// The account use cases: register a shopper, sign in, create the first operator, and the sessions
// a sign-in starts (refresh tokens that rotate, logout, password change).
//
// Plain C++ over two interfaces (AccountRepository, PasswordHasher), so accounts_test.cpp runs
// them with mocks; the gateway runs them on its blocking pool because hashing is slow on purpose.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/account.h"
#include "accounts/account_repository.h"
#include "accounts/password_hasher.h"

namespace storefront::gateway::accounts {

// A session's refresh token, for the client to keep; only its SHA-256 is stored.
struct Session {
  std::string refresh_token;
  std::chrono::seconds expires_in{0};
};

struct Refreshed {
  RefreshOutcome outcome = RefreshOutcome::kUnknown;
  std::optional<Account> account;  // kRotated: the account as it is now, its current role
  Session session;                 // kRotated: the next refresh token of the same session
};

enum class PasswordChange { kChanged, kWrongPassword, kNoAccount };

class Accounts {
 public:
  static constexpr std::chrono::seconds kDefaultSessionTtl{14 * 24 * 3600};

  // Computes one hash up front (the stand-in for unknown emails, see Login). A session (its
  // refresh tokens) lasts `session_ttl` from its last refresh.
  Accounts(std::shared_ptr<AccountRepository> repository, std::shared_ptr<const PasswordHasher> hasher,
           std::chrono::seconds session_ttl = kDefaultSessionTtl);

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

  // A new session for an account Login returned: its first refresh token; nullopt when its
  // password changed since Login checked it (the sign-in then fails).
  std::optional<Session> StartSession(const Account& account);
  // Trades a refresh token for the next one of its session and the account as it is now (a role
  // changed since takes effect here). Every token works once: one presented a second time means
  // someone else holds the session, and the whole session ends (kReused).
  Refreshed Refresh(std::string_view refresh_token);
  // Ends the session of this refresh token (nothing happens for one that names none).
  void Logout(std::string_view refresh_token);
  // Replaces the password when `current` is right, and ends every session of the account, this
  // one included: its access tokens run out within their lifetime, and nothing refreshes them.
  // Throws InvalidArgument naming new_password when it breaks the password rules.
  PasswordChange ChangePassword(const std::string& account_id, std::string_view current, std::string_view next);

 private:
  std::shared_ptr<AccountRepository> repository_;
  std::shared_ptr<const PasswordHasher> hasher_;
  std::chrono::seconds session_ttl_;
  std::string stand_in_hash_;
};

// A random password of `length` ASCII letters and digits from libsodium's CSPRNG
// (24 characters: about 143 bits).
std::string GeneratePassword(std::size_t length = 24);

}  // namespace storefront::gateway::accounts

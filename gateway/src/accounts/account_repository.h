// Where accounts are kept: an interface, so the use cases are unit tested with a mock
// (mock_account_repository.h) and run over PostgreSQL (pg_account_repository.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "accounts/account.h"

namespace storefront::gateway::accounts {

// An account to insert; the database assigns id and created_at.
struct AccountRecord {
  std::string email;  // normalised
  std::string name;
  std::string password_hash;
  Role role = Role::kShopper;
};

// A refresh token as stored: its SHA-256 (hex), never the token.
struct SessionRecord {
  std::string token_hash;
  std::string family_id;  // one per sign-in
  std::string account_id;
  std::chrono::seconds ttl{0};
};

// What presenting a refresh token came to (AccountRepository::RotateSession).
enum class RefreshOutcome {
  kRotated,  // it was live and unused: it is used now, and the next one is in its family
  kUnknown,  // no such token (never issued, or its account was deleted)
  kEnded,    // expired, or its family was revoked (logout, password change, an earlier reuse)
  kReused,   // used before: its whole family is revoked now
};

struct Rotation {
  RefreshOutcome outcome = RefreshOutcome::kUnknown;
  std::optional<Account> account;  // kRotated: the account as it is now (its current role)
};

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  // Throws AlreadyExists when an account has this email, Unavailable when the database is down.
  virtual Account Create(const AccountRecord& record) = 0;
  // `email` normalised; nullopt when no account has it.
  virtual std::optional<Account> FindByEmail(const std::string& email) = 0;
  virtual std::optional<Account> FindById(const std::string& account_id) = 0;
  virtual void RecordLogin(const std::string& account_id) = 0;

  // Sessions (refresh tokens), each in one transaction. Every one of them takes the account's
  // row lock before it touches a token, as ChangePasswordHash does, so a session started or
  // rotated while the password changes is either seen and revoked by the change or refused.
  //
  // Starts the session if the account's password hash is still `verified_hash` (the one the
  // sign-in checked); false when it changed meanwhile, or the account is gone.
  virtual bool StartSession(const SessionRecord& session, const std::string& verified_hash) = 0;
  // Presents the token `used_hash` names: when it is live and unused, marks it used and adds
  // `next_hash` to its family, valid for `ttl`. A token used before revokes its family.
  virtual Rotation RotateSession(const std::string& used_hash, const std::string& next_hash,
                                 std::chrono::seconds ttl) = 0;
  // Revokes the family of the token `token_hash` names, if there is one.
  virtual void EndSession(const std::string& token_hash) = 0;
  // Replaces the account's password hash and revokes every session of the account, together.
  virtual void ChangePasswordHash(const std::string& account_id, const std::string& password_hash) = 0;
};

}  // namespace storefront::gateway::accounts

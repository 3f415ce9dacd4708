// Where accounts are kept: an interface, so the use cases are unit tested with a mock
// (mock_account_repository.h) and run over PostgreSQL (pg_account_repository.h).
#pragma once

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

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  // Throws AlreadyExists when an account has this email, Unavailable when the database is down.
  virtual Account Create(const AccountRecord& record) = 0;
  // `email` normalised; nullopt when no account has it.
  virtual std::optional<Account> FindByEmail(const std::string& email) = 0;
  virtual void RecordLogin(const std::string& account_id) = 0;
};

}  // namespace storefront::gateway::accounts

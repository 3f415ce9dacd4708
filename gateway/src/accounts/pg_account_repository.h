// Accounts in PostgreSQL: table accounts.accounts (migrations/V001__create_accounts.sql),
// reached as the accounts role. One statement per use case, prepared on every connection.
#pragma once

#include <memory>

#include "accounts/account_repository.h"
#include "shared/db/pool.h"

namespace storefront::gateway::accounts {

class PgAccountRepository final : public AccountRepository {
 public:
  explicit PgAccountRepository(std::shared_ptr<db::Pool> pool) : pool_(std::move(pool)) {}

  // Registers the prepared statements; pass as the Pool's on_connect.
  static void Prepare(pqxx::connection& connection);

  Account Create(const AccountRecord& record) override;
  std::optional<Account> FindByEmail(const std::string& email) override;
  void RecordLogin(const std::string& account_id) override;

 private:
  std::shared_ptr<db::Pool> pool_;
};

}  // namespace storefront::gateway::accounts

// Accounts in PostgreSQL: tables accounts.accounts and accounts.refresh_tokens (migrations/),
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
  std::optional<Account> FindById(const std::string& account_id) override;
  void RecordLogin(const std::string& account_id) override;
  bool StartSession(const SessionRecord& session, const std::string& verified_hash) override;
  Rotation RotateSession(const std::string& used_hash, const std::string& next_hash, std::chrono::seconds ttl) override;
  void EndSession(const std::string& token_hash) override;
  void ChangePasswordHash(const std::string& account_id, const std::string& password_hash) override;

 private:
  std::shared_ptr<db::Pool> pool_;
};

}  // namespace storefront::gateway::accounts

#include "accounts/pg_account_repository.h"

#include "shared/errors/errors.h"

namespace storefront::gateway::accounts {
namespace {

constexpr const char* kColumns = "id::text, email, name, role, password_hash";

Account ReadAccount(const pqxx::row& row) {
  Account account;
  account.id = row[0].as<std::string>();
  account.email = row[1].as<std::string>();
  account.name = row[2].as<std::string>();
  // The CHECK constraint allows only the two names.
  account.role = ParseRole(row[3].as<std::string>()).value_or(Role::kShopper);
  account.password_hash = row[4].as<std::string>();
  return account;
}

// Runs `work`, turning "the database cannot be reached" into Unavailable (503), which is what
// the shopper should see, instead of an internal error.
template <typename Fn>
auto Guarded(Fn&& work) {
  try {
    return work();
  } catch (const db::PoolExhausted&) {
    throw Unavailable("the accounts database is busy");
  } catch (const pqxx::broken_connection&) {
    throw Unavailable("the accounts database is unreachable");
  }
}

}  // namespace

void PgAccountRepository::Prepare(pqxx::connection& connection) {
  connection.prepare("accounts_create",
                     std::string("INSERT INTO accounts (email, name, password_hash, role) VALUES ($1, $2, $3, $4) "
                                 "RETURNING ") +
                         kColumns);
  connection.prepare("accounts_find_by_email", std::string("SELECT ") + kColumns + " FROM accounts WHERE email = $1");
  connection.prepare("accounts_record_login", "UPDATE accounts SET last_login_at = now() WHERE id = $1::uuid");
}

Account PgAccountRepository::Create(const AccountRecord& record) {
  return Guarded([&] {
    try {
      return db::WithTransaction(*pool_, [&](pqxx::work& txn) {
        auto rows = txn.exec_prepared("accounts_create", record.email, record.name, record.password_hash,
                                      std::string(RoleName(record.role)));
        return ReadAccount(rows[0]);
      });
    } catch (const pqxx::unique_violation&) {
      throw AlreadyExists("an account with this email already exists");
    }
  });
}

std::optional<Account> PgAccountRepository::FindByEmail(const std::string& email) {
  return Guarded([&] {
    return db::WithReadOnly(*pool_, [&](pqxx::nontransaction& txn) -> std::optional<Account> {
      auto rows = txn.exec_prepared("accounts_find_by_email", email);
      if (rows.empty()) return std::nullopt;
      return ReadAccount(rows[0]);
    });
  });
}

void PgAccountRepository::RecordLogin(const std::string& account_id) {
  Guarded([&] {
    db::WithTransaction(*pool_, [&](pqxx::work& txn) { txn.exec_prepared("accounts_record_login", account_id); });
  });
}

}  // namespace storefront::gateway::accounts

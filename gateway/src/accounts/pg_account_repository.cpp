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
  connection.prepare("accounts_find_by_id", std::string("SELECT ") + kColumns + " FROM accounts WHERE id = $1::uuid");
  connection.prepare("accounts_record_login", "UPDATE accounts SET last_login_at = now() WHERE id = $1::uuid");
  connection.prepare("sessions_start",
                     "INSERT INTO refresh_tokens (token_hash, family_id, account_id, expires_at)"
                     " VALUES ($1, $2::uuid, $3::uuid, now() + make_interval(secs => $4))");
  // The account's row lock comes first in every session statement, as in a password change.
  connection.prepare("accounts_lock", "SELECT password_hash FROM accounts WHERE id = $1::uuid FOR UPDATE");
  connection.prepare("sessions_account", "SELECT account_id::text FROM refresh_tokens WHERE token_hash = $1");
  // Locked, so two refreshes with one token take turns: the second sees it used.
  connection.prepare("sessions_lock",
                     "SELECT family_id::text, account_id::text, expires_at <= now(), used_at IS NOT NULL,"
                     " revoked_at IS NOT NULL FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE");
  connection.prepare("sessions_use", "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1");
  connection.prepare("sessions_revoke_family",
                     "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND revoked_at IS NULL");
  connection.prepare("sessions_revoke_token_family",
                     "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND family_id ="
                     " (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)");
  connection.prepare("sessions_revoke_account",
                     "UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1::uuid AND revoked_at IS NULL");
  connection.prepare("accounts_set_password", "UPDATE accounts SET password_hash = $2 WHERE id = $1::uuid");
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

std::optional<Account> PgAccountRepository::FindById(const std::string& account_id) {
  return Guarded([&] {
    return db::WithReadOnly(*pool_, [&](pqxx::nontransaction& txn) -> std::optional<Account> {
      auto rows = txn.exec_prepared("accounts_find_by_id", account_id);
      if (rows.empty()) return std::nullopt;
      return ReadAccount(rows[0]);
    });
  });
}

namespace {

// The account's row lock, for the rest of the transaction: a password change holds it while it
// revokes. The statements after it see whatever a change that went first committed. Returns the
// password hash, or nullopt when the account is gone.
std::optional<std::string> LockAccount(pqxx::work& txn, const std::string& account_id) {
  auto rows = txn.exec_prepared("accounts_lock", account_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

// The account a token belongs to, read without a lock (its row is locked next, then the token).
std::optional<std::string> AccountOfToken(pqxx::work& txn, const std::string& token_hash) {
  auto rows = txn.exec_prepared("sessions_account", token_hash);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

}  // namespace

bool PgAccountRepository::StartSession(const SessionRecord& session, const std::string& verified_hash) {
  return Guarded([&] {
    return db::WithTransaction(*pool_, [&](pqxx::work& txn) {
      auto hash = LockAccount(txn, session.account_id);
      if (!hash || *hash != verified_hash) return false;  // changed (or gone) since it was checked
      txn.exec_prepared("sessions_start", session.token_hash, session.family_id, session.account_id,
                        static_cast<double>(session.ttl.count()));
      return true;
    });
  });
}

Rotation PgAccountRepository::RotateSession(const std::string& used_hash, const std::string& next_hash,
                                            std::chrono::seconds ttl) {
  return Guarded([&] {
    return db::WithTransaction(*pool_, [&](pqxx::work& txn) -> Rotation {
      auto owner = AccountOfToken(txn, used_hash);
      if (!owner || !LockAccount(txn, *owner)) return {RefreshOutcome::kUnknown, std::nullopt};
      auto rows = txn.exec_prepared("sessions_lock", used_hash);
      if (rows.empty()) return {RefreshOutcome::kUnknown, std::nullopt};
      const auto& row = rows[0];
      const std::string family = row[0].as<std::string>(), account_id = row[1].as<std::string>();
      const bool expired = row[2].as<bool>(), used = row[3].as<bool>(), revoked = row[4].as<bool>();
      if (revoked) return {RefreshOutcome::kEnded, std::nullopt};
      if (used) {
        txn.exec_prepared("sessions_revoke_family", family);  // committed with the answer
        return {RefreshOutcome::kReused, std::nullopt};
      }
      if (expired) return {RefreshOutcome::kEnded, std::nullopt};
      auto account = txn.exec_prepared("accounts_find_by_id", account_id);
      if (account.empty()) return {RefreshOutcome::kUnknown, std::nullopt};
      txn.exec_prepared("sessions_use", used_hash);
      txn.exec_prepared("sessions_start", next_hash, family, account_id, static_cast<double>(ttl.count()));
      return {RefreshOutcome::kRotated, ReadAccount(account[0])};
    });
  });
}

void PgAccountRepository::EndSession(const std::string& token_hash) {
  Guarded([&] {
    db::WithTransaction(*pool_, [&](pqxx::work& txn) {
      auto owner = AccountOfToken(txn, token_hash);
      if (!owner || !LockAccount(txn, *owner)) return;
      txn.exec_prepared("sessions_revoke_token_family", token_hash);
    });
  });
}

void PgAccountRepository::ChangePasswordHash(const std::string& account_id, const std::string& password_hash) {
  Guarded([&] {
    db::WithTransaction(*pool_, [&](pqxx::work& txn) {
      txn.exec_prepared("accounts_set_password", account_id, password_hash);
      txn.exec_prepared("sessions_revoke_account", account_id);
    });
  });
}

void PgAccountRepository::RecordLogin(const std::string& account_id) {
  Guarded([&] {
    db::WithTransaction(*pool_, [&](pqxx::work& txn) { txn.exec_prepared("accounts_record_login", account_id); });
  });
}

}  // namespace storefront::gateway::accounts

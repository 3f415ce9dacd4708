#include "shared/db/migrations.h"

#include <algorithm>
#include <map>

#include "shared/log/log.h"
#include "shared/types/digest.h"

namespace storefront::db {

std::string Checksum(const std::string& sql) {
  return types::Sha256Hex(sql);
}

MigrationReport Migrate(pqxx::connection& connection, const std::string& schema,
                        const std::vector<Migration>& migrations) {
  std::vector<const Migration*> ordered;
  for (const auto& migration : migrations) ordered.push_back(&migration);
  std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->version < b->version; });
  for (std::size_t i = 1; i < ordered.size(); ++i) {
    if (ordered[i]->version == ordered[i - 1]->version) {
      throw MigrationError("two migrations share version " + std::to_string(ordered[i]->version));
    }
  }

  MigrationReport report;
  pqxx::work txn(connection);
  const std::string quoted = txn.quote_name(schema);
  // Serialises concurrent starters; released when the transaction ends.
  txn.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "storefront.migrations." + schema);
  txn.exec("SET LOCAL search_path TO " + quoted);
  txn.exec("CREATE TABLE IF NOT EXISTS " + quoted +
           ".schema_migrations ("
           " version integer PRIMARY KEY,"
           " name text NOT NULL,"
           " checksum text NOT NULL,"
           " applied_at timestamptz NOT NULL DEFAULT now())");

  std::map<int, std::string> applied;
  for (const auto& row : txn.exec("SELECT version, checksum FROM " + quoted + ".schema_migrations")) {
    applied[row[0].as<int>()] = row[1].as<std::string>();
  }

  for (const Migration* migration : ordered) {
    const std::string checksum = Checksum(migration->sql);
    auto it = applied.find(migration->version);
    if (it != applied.end()) {
      if (it->second != checksum) {
        throw MigrationError("migration V" + std::to_string(migration->version) + "__" + migration->name +
                             " was changed after it was applied to schema " + schema +
                             "; add a new migration instead");
      }
      continue;
    }
    try {
      txn.exec(migration->sql);
    } catch (const pqxx::sql_error& error) {
      throw MigrationError("migration V" + std::to_string(migration->version) + "__" + migration->name +
                           " failed: " + error.what());
    }
    txn.exec_params("INSERT INTO " + quoted + ".schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    migration->version, migration->name, checksum);
    report.applied.push_back(migration->version);
  }
  txn.commit();

  report.current_version = ordered.empty() ? 0 : ordered.back()->version;
  for (const auto& [version, checksum] : applied) report.current_version = std::max(report.current_version, version);
  log::Info("migrations applied", {{"schema", schema},
                                   {"applied", report.applied},
                                   {"current_version", report.current_version}});
  return report;
}

}  // namespace storefront::db

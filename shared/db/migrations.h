// Versioned schema migrations, applied at start-up.
//
// Each service keeps `migrations/V001__name.sql, V002__...` beside its code; the build embeds
// them (cmake: storefront_embed_migrations) and Migrate() applies the pending ones in order,
// inside the service's own schema, recording each in <schema>.schema_migrations with a
// checksum. Running it again changes nothing; an applied migration whose text changed is an
// error (fix forward with a new version instead). A PostgreSQL advisory lock makes concurrent
// replicas starting together apply each migration exactly once.
#pragma once

#include <pqxx/pqxx>

#include <stdexcept>
#include <string>
#include <vector>

namespace storefront::db {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this run
  int current_version = 0;
};

// Applies the pending migrations to `schema` (which must exist and be owned by the
// connected role) in one transaction.
MigrationReport Migrate(pqxx::connection& connection, const std::string& schema,
                        const std::vector<Migration>& migrations);

// Hex SHA-256 of a migration's text; what schema_migrations.checksum holds.
std::string Checksum(const std::string& sql);

}  // namespace storefront::db

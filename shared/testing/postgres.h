// A throwaway PostgreSQL server for integration tests.
//
// Initialises a cluster in a temporary directory, starts it on a free loopback port (as the
// `postgres` user when the tests run as root: the server refuses root), and bootstraps the
// storefront database with infra/postgres/init.sql, the same file the local stack and
// docker-compose use, so tests see the real roles, schemas and grants.
// One instance serves a whole test binary (SharedPostgres); it is stopped at exit. FreshSchema gives
// a test an empty schema of its own in it.
#pragma once

#include <memory>
#include <string>

#include "shared/testing/process.h"

namespace storefront::testing {

class PostgresInstance {
 public:
  PostgresInstance();
  ~PostgresInstance();

  int port() const { return port_; }
  // A connection string for a service role (catalog, cart, ...) to the storefront database.
  std::string Dsn(const std::string& role) const;
  // The superuser, for test set-up that no service could do.
  std::string SuperuserDsn(const std::string& database = "storefront") const;

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Process> server_;
};

PostgresInstance& SharedPostgres();

// The password every service role gets in tests.
std::string TestPassword(const std::string& role);

// An empty schema `name` in the shared instance, owned by service role `owner`, for a test that
// migrates tables of its own (dropped first, with whatever an earlier run left in it). Returns `name`.
std::string FreshSchema(const std::string& name, const std::string& owner);

}  // namespace storefront::testing

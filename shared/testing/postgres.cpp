#include "shared/testing/postgres.h"

#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace storefront::testing {
namespace {

const char* kRoles[] = {"catalog", "cart", "checkout", "payments", "inventory", "shipping", "accounts"};

std::string PgBinDir() {
  std::string best;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    auto candidate = entry.path() / "bin";
    if (std::filesystem::exists(candidate / "postgres") && candidate.string() > best) best = candidate.string();
  }
  if (best.empty()) throw std::runtime_error("PostgreSQL server binaries not found under /usr/lib/postgresql");
  return best;
}

std::optional<std::string> RunAs() {
  if (geteuid() != 0) return std::nullopt;
  return std::string("postgres");
}

int RunToCompletion(const ProcessOptions& options) {
  Process process(options);
  while (process.Running()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return process.Stop(SIGTERM);
}

}  // namespace

std::string TestPassword(const std::string& role) { return "test-" + role; }

PostgresInstance::PostgresInstance() {
  dir_ = MakeTempDir("storefront-pg");
  if (auto user = RunAs()) {
    passwd* pw = getpwnam(user->c_str());
    if (pw == nullptr) throw std::runtime_error("the postgres user does not exist; install the postgresql package");
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown " + dir_);
  }
  const std::string bin = PgBinDir();
  const std::string log = dir_ + "/server.log";

  int rc = RunToCompletion({.argv = {bin + "/initdb", "-D", dir_ + "/data", "-U", "postgres", "-A", "trust",
                                     "-E", "UTF8", "--locale=C", "--no-sync"},
                            .log_path = dir_ + "/initdb.log",
                            .run_as_user = RunAs()});
  if (rc != 0) throw std::runtime_error("initdb failed: " + ReadFile(dir_ + "/initdb.log"));

  for (int attempt = 0; attempt < 5 && !server_; ++attempt) {
    port_ = FreePort();
    auto server = std::make_unique<Process>(ProcessOptions{
        .argv = {bin + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-k", dir_, "-c",
                 "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                 "full_page_writes=off", "-c", "max_connections=200"},
        .log_path = log,
        .run_as_user = RunAs()});
    for (int i = 0; i < 300 && server->Running(); ++i) {
      try {
        pqxx::connection probe(SuperuserDsn("postgres"));
        server_ = std::move(server);
        break;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  if (!server_) throw std::runtime_error("PostgreSQL did not start: " + ReadFile(log));

  ProcessOptions psql{.argv = {bin + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                               std::to_string(port_), "-U", "postgres", "-d", "postgres", "-f",
                               std::string(STOREFRONT_SOURCE_DIR) + "/infra/postgres/init.sql"},
                      .log_path = dir_ + "/init.log"};
  for (const char* role : kRoles) {
    psql.argv.insert(psql.argv.end() - 2, {"-v", std::string(role) + "_password=" + TestPassword(role)});
  }
  if (RunToCompletion(psql) != 0) throw std::runtime_error("init.sql failed: " + ReadFile(dir_ + "/init.log"));
}

PostgresInstance::~PostgresInstance() {
  if (server_) server_->Stop(SIGINT);  // fast shutdown
  RemoveTree(dir_);
}

std::string PostgresInstance::Dsn(const std::string& role) const {
  return "postgresql://" + role + ":" + TestPassword(role) + "@127.0.0.1:" + std::to_string(port_) + "/storefront";
}

std::string PostgresInstance::SuperuserDsn(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

PostgresInstance& SharedPostgres() {
  static PostgresInstance instance;
  return instance;
}

std::string FreshSchema(const std::string& name, const std::string& owner) {
  pqxx::connection admin(SharedPostgres().SuperuserDsn());
  pqxx::work txn(admin);
  txn.exec("DROP SCHEMA IF EXISTS " + txn.quote_name(name) + " CASCADE");
  txn.exec("CREATE SCHEMA " + txn.quote_name(name) + " AUTHORIZATION " + txn.quote_name(owner));
  txn.commit();
  return name;
}

}  // namespace storefront::testing

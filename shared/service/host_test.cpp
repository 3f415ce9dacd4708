// The service host against a real PostgreSQL: what Start() brings up and Shutdown() takes down.
#include "shared/service/host.h"
#include "shared/service/main.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"

namespace storefront::service {
namespace {

using namespace std::chrono_literals;

TEST(ServiceOptionsTest, TheServerAndTheEventsComeFromTheCommonSettings) {
  config::ServiceSettings settings;
  settings.grpc_address = "127.0.0.1:30051";
  settings.grpc_reflection = true;
  settings.kafka_bootstrap_servers = "127.0.0.1:29092";
  settings.kafka_group_instance_id = "cart-0";
  const std::vector<rpc::Grant> callers = {{"gateway", "storefront.cart.v1.CartService", {"*"}}};
  const auto server = ServerOptionsFor(settings, nullptr, callers);
  EXPECT_EQ(server.listen_address, "127.0.0.1:30051");
  EXPECT_TRUE(server.reflection);
  ASSERT_EQ(server.callers.size(), 1u);
  EXPECT_EQ(server.callers[0].caller, "gateway");

  const auto events = EventsOptionsFor(settings, "cart", {"storefront.checkout.order.v1"}, /*publishes=*/false);
  EXPECT_EQ(events.bootstrap_servers, "127.0.0.1:29092");
  EXPECT_EQ(events.schema, "cart");
  EXPECT_EQ(events.name, "cart");
  EXPECT_FALSE(events.publishes);
  EXPECT_EQ(events.consumes, (std::vector<std::string>{"storefront.checkout.order.v1"}));
  EXPECT_EQ(events.group_instance_id, "cart-0");
  EXPECT_TRUE(EventsOptionsFor(settings, "catalog", {}).publishes);
}
using storefront::testing::SharedPostgres;

// A service with nothing of its own: one migration, no API, events without Kafka, one task.
struct Parts {
  db::Pool pool{SharedPostgres().Dsn("cart"), 2};
  rpc::Server server{{.listen_address = "127.0.0.1:0"}};
  events::ServiceEvents events{pool, {.bootstrap_servers = "", .schema = "cart", .name = "host-test", .publishes = false, .consumes = {}}};
  std::atomic<int> passes{0};
  background::PeriodicTask task{"host test task", [this] { return ++passes; }, 20ms};
  Host host{{.schema = "cart",
             .migrations = {{1, "create_probe", "CREATE TABLE host_probe (id int PRIMARY KEY)"}},
             .pool = pool,
             .server = server,
             .events = events,
             .tasks = {&task}}};
};

bool Serving(int port) {
  auto channel = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
  return rpc::CheckHealth(*channel, 1s);
}

bool ProbeTableExists(db::Pool& pool) {
  auto connection = pool.Acquire();
  pqxx::nontransaction tx(*connection);
  return tx.exec1("SELECT to_regclass('cart.host_probe') IS NOT NULL")[0].as<bool>();
}

template <typename Predicate>
bool Eventually(Predicate predicate) {
  for (int i = 0; i < 250; ++i) {
    if (predicate()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return predicate();
}

TEST(HostTest, StartMigratesRunsTheTasksAndServesShutdownStopsAll) {
  Parts parts;
  const int port = parts.host.Start();
  ASSERT_GT(port, 0);
  EXPECT_TRUE(ProbeTableExists(parts.pool));
  EXPECT_TRUE(Serving(port));
  EXPECT_TRUE(Eventually([&] { return parts.passes >= 2; }));  // a pass at start, then every 20 ms

  parts.host.Shutdown();
  EXPECT_FALSE(Serving(port));
  const int after_shutdown = parts.passes;
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(parts.passes, after_shutdown);  // the task no longer runs
  parts.host.Shutdown();                    // idempotent
}

TEST(HostTest, ASecondStartOnTheSameDatabaseFindsItsMigrationsApplied) {
  {
    Parts first;
    first.host.Start();
  }  // the host's destructor shuts everything down
  Parts second;
  const int port = second.host.Start();
  EXPECT_TRUE(Serving(port));
}

TEST(HostTest, ServeUntilReturnsOnATerminationSignalWithEverythingStopped) {
  rpc::TerminationSignals signals;  // blocks SIGTERM in this thread: it stays pending for Wait()
  Parts parts;
  const int port = parts.host.Start();
  ASSERT_TRUE(Serving(port));
  ASSERT_EQ(std::raise(SIGTERM), 0);
  parts.host.ServeUntil(signals);
  EXPECT_FALSE(Serving(port));
}

// main()'s exit codes, with a Config and an App that fail where a real service's would.
struct BadConfig {
  std::string log_level = "info";
  config::ObservabilitySettings observability;
  static BadConfig FromEnv(config::Env) { throw config::ConfigError("DATABASE_URL is required"); }
};
struct GoodConfig {
  std::string log_level = "info";
  config::ObservabilitySettings observability;
  static GoodConfig FromEnv(config::Env) { return {}; }
};
struct FailingApp {
  template <typename Config>
  explicit FailingApp(const Config&) {
    throw std::runtime_error("database unreachable");
  }
  int Start() { return 0; }
  void ServeUntil(rpc::TerminationSignals&) {}
};

TEST(MainTest, AConfigurationErrorExitsWithTwoAndAnyOtherFailureWithOne) {
  EXPECT_EQ((Main<BadConfig, FailingApp>("test")), 2);
  EXPECT_EQ((Main<GoodConfig, FailingApp>("test")), 1);
}

}  // namespace
}  // namespace storefront::service

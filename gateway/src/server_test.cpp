// Configuration of the gateway from the environment.
#include "server.h"

#include <gtest/gtest.h>

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;

TEST(ServerConfigTest, FromEnvRequiresTheAccountsSettings) {
  try {
    Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"JWT_SIGNING_KEY", "too-short"}, {"STOREFRONT_OPERATOR_PASSWORD", "short"}}));
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("ACCOUNTS_DATABASE_URL"), std::string::npos) << message;
    EXPECT_NE(message.find("JWT_SIGNING_KEY must be at least 32 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("STOREFRONT_OPERATOR_PASSWORD"), std::string::npos) << message;
  }
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront"},
                                                      {"JWT_SIGNING_KEY", std::string(64, 'k')},
                                                      {"STOREFRONT_OPERATOR_EMAIL", " Boss@Example.COM "},
                                                      {"AUTH_WORKERS", "3"}}));
  EXPECT_EQ(config.operator_email, "boss@example.com");
  EXPECT_FALSE(config.operator_password);
  EXPECT_EQ(config.auth_workers, 3);
  EXPECT_EQ(config.jwt_ttl, 900s);
  // The operator API's upstreams default to the local stack's ports; no broker unless given.
  EXPECT_EQ(config.payments_address, "127.0.0.1:50054");
  EXPECT_EQ(config.inventory_address, "127.0.0.1:50055");
  EXPECT_EQ(config.kafka_bootstrap_servers, "");
  EXPECT_EQ(config.admin_workers, 2);
}

TEST(ServerConfigTest, FromEnvReadsTheKeysBeingRotatedAndTheConnectionLimits) {
  std::map<std::string, std::string> with = {{"GRPC_PLAINTEXT", "on"}, {"ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront"},
                                             {"JWT_SIGNING_KEY", std::string(64, 'k')}};
  auto defaults = Config::FromEnv(config::Env::FromMap(with));
  EXPECT_TRUE(defaults.jwt_verification_keys.empty());
  EXPECT_EQ(defaults.keepalive_timeout, 0ms);  // the longest request budget plus 1 s
  EXPECT_EQ(defaults.max_connections, 1000);
  EXPECT_EQ(defaults.max_connections_per_address, 100);

  with["JWT_VERIFICATION_KEYS"] = std::string(64, 'n') + "," + std::string(40, 'o');
  with["HTTP_KEEPALIVE_TIMEOUT_MS"] = "2500";
  with["HTTP_MAX_CONNECTIONS"] = "64";
  with["HTTP_MAX_CONNECTIONS_PER_ADDRESS"] = "8";
  auto config = Config::FromEnv(config::Env::FromMap(with));
  EXPECT_EQ(config.jwt_verification_keys, (std::vector<std::string>{std::string(64, 'n'), std::string(40, 'o')}));
  EXPECT_EQ(config.keepalive_timeout, 2500ms);
  EXPECT_EQ(config.max_connections, 64);
  EXPECT_EQ(config.max_connections_per_address, 8);
  // Unset, it is 100 or the whole cap when that is lower: a small HTTP_MAX_CONNECTIONS alone is valid.
  auto small = with;
  small.erase("HTTP_MAX_CONNECTIONS_PER_ADDRESS");
  small["HTTP_MAX_CONNECTIONS"] = "50";
  EXPECT_EQ(Config::FromEnv(config::Env::FromMap(small)).max_connections_per_address, 50);

  with["HTTP_MAX_CONNECTIONS_PER_ADDRESS"] = "65";  // above HTTP_MAX_CONNECTIONS (64)
  with["JWT_VERIFICATION_KEYS"] = std::string(64, 'n') + ",short";
  try {
    Config::FromEnv(config::Env::FromMap(with));
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("JWT_VERIFICATION_KEYS: each key must be at least 32 bytes, one has 5"),
              std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("HTTP_MAX_CONNECTIONS_PER_ADDRESS (65) must not be above"),
              std::string::npos)
        << error.what();
  }
}

TEST(ServerConfigTest, FromEnvReadsWhereTheConsolesFiguresAndTracesAre) {
  std::map<std::string, std::string> with = {{"GRPC_PLAINTEXT", "on"}, {"ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront"},
                                             {"JWT_SIGNING_KEY", std::string(64, 'k')},
                                             {"PROMETHEUS_URL", "http://prometheus:9090"},
                                             {"TRACE_UI_URL", "http://zipkin:9411/zipkin/traces/"}};
  auto config = Config::FromEnv(config::Env::FromMap(with));
  EXPECT_EQ(config.console.prometheus_url, "http://prometheus:9090");
  EXPECT_EQ(config.console.trace_ui_url, "http://zipkin:9411/zipkin/traces/");
  with["PROMETHEUS_URL"] = "prometheus:9090";
  EXPECT_THROW(Config::FromEnv(config::Env::FromMap(with)), config::ConfigError);
}

TEST(ServerConfigTest, FromEnvReadsTheOperatorConsoleSettings) {
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront"},
                                                      {"JWT_SIGNING_KEY", std::string(64, 'k')},
                                                      {"INVENTORY_ADDR", "10.0.0.5:7000"},
                                                      {"PAYMENTS_ADDR", "10.0.0.6:7001"},
                                                      {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092,127.0.0.1:9093"},
                                                      {"ADMIN_WORKERS", "4"}}));
  EXPECT_EQ(config.inventory_address, "10.0.0.5:7000");
  EXPECT_EQ(config.payments_address, "10.0.0.6:7001");
  EXPECT_EQ(config.kafka_bootstrap_servers, "127.0.0.1:9092,127.0.0.1:9093");
  EXPECT_EQ(config.admin_workers, 4);
  EXPECT_EQ(config.console.prometheus_url, "");  // optional: the figures answer 503 without it
  EXPECT_EQ(config.console.trace_ui_url, "");
  EXPECT_THROW(Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront"},
                                                     {"JWT_SIGNING_KEY", std::string(64, 'k')},
                                                     {"INVENTORY_ADDR", "no-port"}})),
               config::ConfigError);
}

}  // namespace
}  // namespace storefront::gateway

// Configuration of the gateway from the environment.
#include "server.h"

#include <gtest/gtest.h>

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;

TEST(ServerConfigTest, FromEnvRequiresTheAccountsSettings) {
  try {
    Config::FromEnv(config::Env::FromMap({{"JWT_SIGNING_KEY", "too-short"}, {"STOREFRONT_OPERATOR_PASSWORD", "short"}}));
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("ACCOUNTS_DATABASE_URL"), std::string::npos) << message;
    EXPECT_NE(message.find("JWT_SIGNING_KEY must be at least 32 bytes"), std::string::npos) << message;
    EXPECT_NE(message.find("STOREFRONT_OPERATOR_PASSWORD"), std::string::npos) << message;
  }
  auto config = Config::FromEnv(config::Env::FromMap({{"ACCOUNTS_DATABASE_URL", "postgresql://accounts@db/storefront"},
                                                      {"JWT_SIGNING_KEY", std::string(64, 'k')},
                                                      {"STOREFRONT_OPERATOR_EMAIL", " Boss@Example.COM "},
                                                      {"AUTH_WORKERS", "3"}}));
  EXPECT_EQ(config.operator_email, "boss@example.com");
  EXPECT_FALSE(config.operator_password);
  EXPECT_EQ(config.auth_workers, 3);
  EXPECT_EQ(config.jwt_ttl, 900s);
}

}  // namespace
}  // namespace storefront::gateway

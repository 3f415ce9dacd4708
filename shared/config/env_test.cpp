#include "shared/config/env.h"

#include <gtest/gtest.h>

namespace storefront::config {
namespace {

TEST(EnvTest, ReadsValuesAndFallsBackToDefaults) {
  auto env = Env::FromMap({{"PORT_ADDR", "127.0.0.1:9000"}, {"POOL", "4"}});
  EXPECT_EQ(env.HostPort("PORT_ADDR", "127.0.0.1:1"), "127.0.0.1:9000");
  EXPECT_EQ(env.Int("POOL", 8, 1, 64), 4);
  EXPECT_EQ(env.Int("MISSING", 8, 1, 64), 8);
  EXPECT_EQ(env.String("ALSO_MISSING", "x"), "x");
  EXPECT_NO_THROW(env.Validate());
}

TEST(EnvTest, CollectsEveryProblemIntoOneMessage) {
  auto env = Env::FromMap({{"POOL", "lots"}, {"TIMEOUT", "0"}, {"ADDR", "nohost"}, {"LEVEL", "loud"}});
  env.Required("DATABASE_URL", "the PostgreSQL connection string");
  env.Int("POOL", 8, 1, 64);
  env.Int("TIMEOUT", 100, 1, 1000);
  env.HostPort("ADDR", "127.0.0.1:1");
  env.OneOf("LEVEL", "info", {"debug", "info"});
  ASSERT_EQ(env.errors().size(), 5u);
  try {
    env.Validate();
    FAIL() << "Validate() should throw";
  } catch (const ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("DATABASE_URL is required"), std::string::npos);
    EXPECT_NE(message.find("POOL must be an integer, got 'lots'"), std::string::npos);
    EXPECT_NE(message.find("TIMEOUT must be between 1 and 1000"), std::string::npos);
    EXPECT_NE(message.find("ADDR must be host:port"), std::string::npos);
    EXPECT_NE(message.find("LEVEL must be one of debug, info"), std::string::npos);
  }
}

TEST(EnvTest, EmptyValueCountsAsMissing) {
  auto env = Env::FromMap({{"DATABASE_URL", ""}});
  env.Required("DATABASE_URL", "needed");
  EXPECT_EQ(env.errors().size(), 1u);
}

TEST(EnvTest, HostPortListAcceptsCommaSeparatedAddresses) {
  auto env = Env::FromMap({{"ONE", "kafka:9092"}, {"TWO", "127.0.0.1:9092,kafka:29092"}, {"EMPTY", ""}});
  EXPECT_EQ(env.HostPortList("ONE", ""), "kafka:9092");
  EXPECT_EQ(env.HostPortList("TWO", ""), "127.0.0.1:9092,kafka:29092");
  EXPECT_EQ(env.HostPortList("EMPTY", ""), "") << "empty counts as unset: optional when the fallback is empty";
  EXPECT_EQ(env.HostPortList("MISSING", ""), "");
  EXPECT_EQ(env.HostPortList("MISSING", "a:1,b:2"), "a:1,b:2");
  EXPECT_NO_THROW(env.Validate());
}

TEST(EnvTest, HostPortListNamesTheVariableOfAMalformedList) {
  for (const char* bad : {"kafka", "127.0.0.1:9092,", ",a:1", "a:1,,b:2", "a:1,b:0", "a:1,b:99999"}) {
    auto env = Env::FromMap({{"BROKERS", bad}});
    EXPECT_EQ(env.HostPortList("BROKERS", "fallback:1"), "fallback:1") << bad;
    ASSERT_EQ(env.errors().size(), 1u) << bad;
    EXPECT_NE(env.errors()[0].find("BROKERS must be host:port[,host:port...]"), std::string::npos) << bad;
    EXPECT_NE(env.errors()[0].find(bad), std::string::npos) << "quotes the value: " << bad;
  }
}

TEST(SplitHostPortTest, RejectsMalformedAddresses) {
  EXPECT_EQ(SplitHostPort("127.0.0.1:8080")->second, 8080);
  EXPECT_EQ(SplitHostPort("[::1]:80")->first, "[::1]");
  EXPECT_FALSE(SplitHostPort("8080"));
  EXPECT_FALSE(SplitHostPort("host:"));
  EXPECT_FALSE(SplitHostPort(":80"));
  EXPECT_FALSE(SplitHostPort("host:99999"));
  EXPECT_FALSE(SplitHostPort("host:80x"));
}

}  // namespace
}  // namespace storefront::config

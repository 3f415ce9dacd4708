#include "shared/config/env.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

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

TEST(EnvTest, GrpcTargetAcceptsOneAddressAListOfIpsAndGrpcUris) {
  const std::vector<std::string> accepted = {
      "127.0.0.1:50051",
      "catalog:50051",
      "catalog.storefront.svc.cluster.local:50051",
      "[::1]:50051",
      "127.0.0.1:50051,127.0.0.1:50061",
      "[::1]:50051,[::1]:50061,[fe80::1]:1",
      "dns:///catalog:50051",
      "dns:///10.0.0.7:50051",
      "ipv4:127.0.0.1:50051",
      "ipv4:127.0.0.1:50051,10.0.0.2:50051",
      "ipv6:[::1]:50051,[::2]:50051",
  };
  for (const auto& value : accepted) {
    auto env = Env::FromMap({{"CATALOG_ADDR", value}});
    EXPECT_EQ(env.GrpcTarget("CATALOG_ADDR", "127.0.0.1:1"), value);
    EXPECT_TRUE(env.errors().empty()) << value << ": " << env.errors()[0];
  }
  auto env = Env::FromMap({});
  EXPECT_EQ(env.GrpcTarget("CATALOG_ADDR", "127.0.0.1:50051"), "127.0.0.1:50051") << "unset gives the fallback";
  EXPECT_NO_THROW(env.Validate());
}

TEST(EnvTest, GrpcTargetSaysWhatIsWrongWithEachRefusedValue) {
  // value -> a piece of the reason the error must give
  const std::map<std::string, std::string> refused = {
      {"catalog", "'catalog' is not host:port"},
      {"catalog:0", "'catalog:0' is not host:port with a port in 1..65535"},
      {"catalog:70000", "'catalog:70000' is not host:port"},
      {"cata log:50051", "'cata log:50051' is not host:port"},
      {"::1:50051", "'::1:50051' is not host:port"},
      {"127.0.0.1:50051,", "'' is not host:port"},
      {"127.0.0.1:50051,127.0.0.1:0", "'127.0.0.1:0' is not host:port"},
      {"127.0.0.1:50051,catalog:50061",
       "host name in 'catalog:50061', and a list may hold IP addresses only; for every address of one name "
       "(a headless Service, a scaled compose service) write dns:///catalog:50061"},
      {"catalog-1:50051,catalog-2:50051", "write dns:///catalog-1:50051"},
      {"127.0.0.1:50051,[::1]:50061", "'[::1]:50061' is not an IPv4 address like the others"},
      {"127.0.0.1:50051,127.0.0.1:50051", "it lists '127.0.0.1:50051' twice"},
      {"dns:catalog:50051", "write dns:///host:port"},
      {"dns://8.8.8.8/catalog:50051", "write dns:///host:port"},
      {"dns:///catalog", "'catalog' is not host:port"},
      {"dns:///a:1,b:2", "'a:1,b:2' is not host:port"},
      {"ipv4:[::1]:50051", "'[::1]:50051' is not an IPv4 address"},
      {"ipv4:catalog:50051", "host name in 'catalog:50051'"},
      {"ipv6:127.0.0.1:50051", "'127.0.0.1:50051' is not an IPv6 address"},
      {"unix:///run/catalog.sock", "its scheme is not dns:///, ipv4: or ipv6:"},
  };
  for (const auto& [value, reason] : refused) {
    auto env = Env::FromMap({{"CATALOG_ADDR", value}});
    EXPECT_EQ(env.GrpcTarget("CATALOG_ADDR", "fallback:1"), "fallback:1") << value;
    ASSERT_EQ(env.errors().size(), 1u) << value;
    const std::string& error = env.errors()[0];
    EXPECT_EQ(error.rfind("CATALOG_ADDR must be host:port, ip:port[,ip:port...], dns:///host:port", 0), 0u) << error;
    EXPECT_NE(error.find("got '" + value + "'"), std::string::npos) << error;
    EXPECT_NE(error.find(reason), std::string::npos) << "want '" << reason << "' in: " << error;
    EXPECT_THROW(env.Validate(), ConfigError) << value;
  }
}

TEST(EnvTest, GrpcTargetErrorsAreCollectedWithTheOthers) {
  auto env = Env::FromMap({{"CART_ADDR", "cart"}, {"CATALOG_ADDR", "a:1,b:2"}, {"POOL", "x"}});
  env.GrpcTarget("CART_ADDR", "127.0.0.1:50052");
  env.GrpcTarget("CATALOG_ADDR", "127.0.0.1:50051");
  env.Int("POOL", 8, 1, 64);
  EXPECT_EQ(env.errors().size(), 3u);
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

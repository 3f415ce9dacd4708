#include "shared/config/service_settings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace storefront::config {
namespace {

TEST(ServiceSettingsTest, DefaultsNeedOnlyTheDatabaseAndTheTlsFiles) {
  auto env = Env::FromMap({{"DATABASE_URL", "postgresql://cart@db/storefront"},
                           {"TLS_CA_FILE", "/tls/ca.crt"},
                           {"TLS_CERT_FILE", "/tls/cart.crt"},
                           {"TLS_KEY_FILE", "/tls/cart.key"}});
  auto settings = ReadServiceSettings(env, "cart", 50052);
  EXPECT_NO_THROW(env.Validate());
  EXPECT_TRUE(settings.tls.enabled());
  EXPECT_EQ(settings.tls.cert_file, "/tls/cart.crt");
  EXPECT_FALSE(settings.grpc_reflection) << "reflection only when asked for";
  EXPECT_EQ(settings.grpc_address, "127.0.0.1:50052");
  EXPECT_EQ(settings.database_url, "postgresql://cart@db/storefront");
  EXPECT_EQ(settings.db_pool_size, 8);
  EXPECT_EQ(settings.log_level, "info");
  EXPECT_EQ(settings.kafka_bootstrap_servers, "") << "no Kafka unless configured";
}

TEST(ServiceSettingsTest, ReadsEverySetting) {
  auto env = Env::FromMap({{"GRPC_LISTEN_ADDR", "0.0.0.0:0"},
                           {"DATABASE_URL", "postgresql://x"},
                           {"DB_POOL_SIZE", "3"},
                           {"LOG_LEVEL", "debug"},
                           {"KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092"},
                           {"GRPC_PLAINTEXT", "on"},
                           {"KAFKA_SECURITY_PROTOCOL", "plaintext"},
                           {"GRPC_REFLECTION", "on"}});
  auto settings = ReadServiceSettings(env, "shipping", 50056);
  EXPECT_NO_THROW(env.Validate());
  EXPECT_EQ(settings.grpc_address, "0.0.0.0:0") << "port 0: a free port, for tests";
  EXPECT_EQ(settings.db_pool_size, 3);
  EXPECT_EQ(settings.log_level, "debug");
  EXPECT_EQ(settings.kafka_bootstrap_servers, "kafka-1:9092,kafka-2:9092");
  EXPECT_TRUE(settings.tls.plaintext);
  EXPECT_FALSE(settings.tls.enabled());
  EXPECT_FALSE(settings.kafka_tls.enabled());
  EXPECT_TRUE(settings.grpc_reflection);
}

// Kafka over TLS with the process's own certificate unless plaintext is asked for; never
// plaintext because the certificate is missing.
TEST(KafkaTlsTest, SslWithTheProcessCertificateByDefaultAndPlaintextOnlyWhenAskedFor) {
  const TlsSettings identity{.ca_file = "/tls/ca.crt", .cert_file = "/tls/shipping.crt", .key_file = "/tls/shipping.key"};
  auto by_default = Env::FromMap({});
  auto tls = ReadKafkaTls(by_default, "kafka:9093", identity);
  EXPECT_TRUE(by_default.errors().empty());
  EXPECT_EQ(tls.cert_file, "/tls/shipping.crt");
  EXPECT_EQ(tls.key_file, "/tls/shipping.key");
  EXPECT_EQ(tls.ca_file, "/tls/ca.crt");

  auto plaintext = Env::FromMap({{"KAFKA_SECURITY_PROTOCOL", "plaintext"}});
  EXPECT_FALSE(ReadKafkaTls(plaintext, "kafka:9092", identity).enabled());
  EXPECT_TRUE(plaintext.errors().empty());

  auto no_certificate = Env::FromMap({});
  ReadKafkaTls(no_certificate, "kafka:9093", TlsSettings{.plaintext = true});
  ASSERT_EQ(no_certificate.errors().size(), 1u);
  EXPECT_NE(no_certificate.errors()[0].find("KAFKA_SECURITY_PROTOCOL=ssl (the default) needs the process's certificate"),
            std::string::npos);

  auto unknown = Env::FromMap({{"KAFKA_SECURITY_PROTOCOL", "sasl_ssl"}});
  ReadKafkaTls(unknown, "kafka:9093", identity);
  EXPECT_EQ(unknown.errors().size(), 1u);

  auto no_broker = Env::FromMap({});
  EXPECT_FALSE(ReadKafkaTls(no_broker, "", TlsSettings{.plaintext = true}).enabled());
  EXPECT_TRUE(no_broker.errors().empty()) << "no broker, nothing to reach it with";
}

TEST(ServiceSettingsTest, RecordsEveryProblemForTheCallersValidate) {
  auto env = Env::FromMap({{"GRPC_LISTEN_ADDR", "nohost"},
                           {"DB_POOL_SIZE", "0"},
                           {"LOG_LEVEL", "loud"},
                           {"KAFKA_BOOTSTRAP_SERVERS", "kafka"}});
  ReadServiceSettings(env, "payments", 50054);
  EXPECT_EQ(env.errors().size(), 6u) << "nothing thrown yet: the service adds its own settings first";
  try {
    env.Validate();
    FAIL() << "Validate() should throw";
  } catch (const ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("GRPC_LISTEN_ADDR must be host:port"), std::string::npos);
    EXPECT_NE(message.find("DATABASE_URL is required: PostgreSQL connection string for the payments role"),
              std::string::npos);
    EXPECT_NE(message.find("DB_POOL_SIZE must be between 1 and 64"), std::string::npos);
    EXPECT_NE(message.find("LOG_LEVEL must be one of"), std::string::npos);
    EXPECT_NE(message.find("KAFKA_BOOTSTRAP_SERVERS must be host:port[,host:port...]"), std::string::npos);
    EXPECT_NE(message.find("TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE are required"), std::string::npos);
  }
}

// A process never runs plaintext because a file setting is missing: only when told to, and then
// with none of them.
TEST(TlsSettingsTest, AllThreeFilesOrPlaintextAskedForAndNothingInBetween) {
  auto none = Env::FromMap({});
  ReadTlsSettings(none);
  ASSERT_EQ(none.errors().size(), 1u);
  EXPECT_NE(none.errors()[0].find("TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE are required"), std::string::npos);

  auto partial = Env::FromMap({{"TLS_CERT_FILE", "/tls/cart.crt"}, {"TLS_KEY_FILE", "/tls/cart.key"}});
  ReadTlsSettings(partial);
  EXPECT_EQ(partial.errors().size(), 1u) << "a missing CA is a start-up error";

  auto both = Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"TLS_CERT_FILE", "/tls/cart.crt"}});
  ReadTlsSettings(both);
  ASSERT_EQ(both.errors().size(), 1u);
  EXPECT_NE(both.errors()[0].find("contradicts"), std::string::npos);

  auto plaintext = Env::FromMap({{"GRPC_PLAINTEXT", "on"}});
  auto settings = ReadTlsSettings(plaintext);
  EXPECT_TRUE(plaintext.errors().empty());
  EXPECT_TRUE(settings.plaintext);

  auto maybe = Env::FromMap({{"GRPC_PLAINTEXT", "yes"}});
  ReadTlsSettings(maybe);
  EXPECT_FALSE(maybe.errors().empty()) << "only on or off";
}

TEST(ServiceSettingsTest, TheGroupInstanceIdIsTheServiceAndHostUnlessSet) {
  auto env = Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}});
  auto settings = ReadServiceSettings(env, "inventory", 50055);
  EXPECT_EQ(settings.kafka_group_instance_id.rfind("inventory-", 0), 0u) << settings.kafka_group_instance_id;
  EXPECT_GT(settings.kafka_group_instance_id.size(), std::string("inventory-").size());
  EXPECT_TRUE(env.errors().empty());

  auto named = Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_GROUP_INSTANCE_ID", "inventory-2"}});
  EXPECT_EQ(ReadServiceSettings(named, "inventory", 50055).kafka_group_instance_id, "inventory-2");
}

TEST(ServiceSettingsTest, AGroupInstanceIdKafkaWouldRefuseIsAStartUpError) {
  for (const std::string& bad : std::vector<std::string>{"inventory 2", "inventory/2", std::string(250, 'a')}) {
    auto env = Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_GROUP_INSTANCE_ID", bad}});
    ReadServiceSettings(env, "inventory", 50055);
    ASSERT_EQ(env.errors().size(), 1u) << bad;
    EXPECT_EQ(env.errors()[0].rfind("KAFKA_GROUP_INSTANCE_ID must be 1 to 249 characters", 0), 0u) << env.errors()[0];
  }
}

}  // namespace
}  // namespace storefront::config

namespace storefront::config {
namespace {

TEST(ObservabilitySettingsTest, NeitherMetricsNorExportUnlessConfigured) {
  auto env = Env::FromMap({});
  auto settings = ReadObservabilitySettings(env);
  EXPECT_NO_THROW(env.Validate());
  EXPECT_EQ(settings.metrics_address, "");
  EXPECT_EQ(settings.trace_export_url, "");
}

TEST(ObservabilitySettingsTest, ReadsTheMetricsAddressAndTheSpansEndpoint) {
  auto env = Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"},
                           {"METRICS_ADDR", "0.0.0.0:9464"},
                           {"TRACE_EXPORT_URL", "http://zipkin:9411/api/v2/spans"}});
  auto settings = ReadServiceSettings(env, "cart", 50052).observability;
  EXPECT_NO_THROW(env.Validate());
  EXPECT_EQ(settings.metrics_address, "0.0.0.0:9464");
  EXPECT_EQ(settings.trace_export_url, "http://zipkin:9411/api/v2/spans");
}

TEST(ObservabilitySettingsTest, AMalformedAddressOrURLIsAStartUpError) {
  auto env = Env::FromMap({{"METRICS_ADDR", "9464"}, {"TRACE_EXPORT_URL", "zipkin:9411/api/v2/spans"}});
  ReadObservabilitySettings(env);
  ASSERT_EQ(env.errors().size(), 2u);
  EXPECT_NE(env.errors()[0].find("METRICS_ADDR"), std::string::npos);
  EXPECT_NE(env.errors()[1].find("TRACE_EXPORT_URL"), std::string::npos);
  auto spaced = Env::FromMap({{"TRACE_EXPORT_URL", "http://zipkin:9411/api v2"}});
  ReadObservabilitySettings(spaced);
  EXPECT_EQ(spaced.errors().size(), 1u);
}

}  // namespace
}  // namespace storefront::config

#include "shared/config/service_settings.h"

#include <unistd.h>

#include <cctype>

#include <algorithm>

namespace storefront::config {
namespace {

// Kafka's limit on a group.instance.id.
constexpr std::size_t kMaxGroupInstanceId = 249;

// This machine's (or container's) name, with anything Kafka would refuse in a name made '-'.
std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host(name);
  std::replace_if(
      host.begin(), host.end(),
      [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'); }, '-');
  return host.substr(0, 200);
}

}  // namespace

ObservabilitySettings ReadObservabilitySettings(Env& env) {
  ObservabilitySettings settings;
  if (!env.String("METRICS_ADDR", "").empty()) {
    settings.metrics_address = env.HostPort("METRICS_ADDR", "", /*allow_zero_port=*/true);
  }
  settings.trace_export_url = env.String("TRACE_EXPORT_URL", "");
  const auto& url = settings.trace_export_url;
  bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!url.empty() && (!http || url.size() > 2048 ||
                       std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c >= 0x7f; }))) {
    env.Problem("TRACE_EXPORT_URL: '" + url.substr(0, 100) +
                "' is not an http:// or https:// URL (e.g. http://127.0.0.1:9411/api/v2/spans)");
  }
  return settings;
}

TlsSettings ReadTlsSettings(Env& env) {
  TlsSettings settings;
  settings.ca_file = env.String("TLS_CA_FILE", "");
  settings.cert_file = env.String("TLS_CERT_FILE", "");
  settings.key_file = env.String("TLS_KEY_FILE", "");
  settings.plaintext = env.OneOf("GRPC_PLAINTEXT", "off", {"on", "off"}) == "on";
  const int given = !settings.ca_file.empty() + !settings.cert_file.empty() + !settings.key_file.empty();
  if (settings.plaintext && given > 0) {
    env.Problem("GRPC_PLAINTEXT=on contradicts TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE: give one or the other");
  } else if (!settings.plaintext && given < 3) {
    env.Problem("TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE are required (mutual TLS on every gRPC connection); "
                "GRPC_PLAINTEXT=on instead only for a process under a test");
  }
  return settings;
}

TlsSettings ReadKafkaTls(Env& env, const std::string& bootstrap_servers, const TlsSettings& tls) {
  const bool ssl = env.OneOf("KAFKA_SECURITY_PROTOCOL", "ssl", {"ssl", "plaintext"}) == "ssl";
  if (bootstrap_servers.empty() || !ssl) return {.plaintext = true};
  if (!tls.enabled()) {
    env.Problem("KAFKA_SECURITY_PROTOCOL=ssl (the default) needs the process's certificate (TLS_CA_FILE, "
                "TLS_CERT_FILE, TLS_KEY_FILE); KAFKA_SECURITY_PROTOCOL=plaintext only for the development "
                "broker or a test");
  }
  return tls;
}

ServiceSettings ReadServiceSettings(Env& env, std::string_view service, int default_port) {
  ServiceSettings settings;
  settings.grpc_address =
      env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:" + std::to_string(default_port), /*allow_zero_port=*/true);
  settings.database_url =
      env.Required("DATABASE_URL", "PostgreSQL connection string for the " + std::string(service) + " role");
  settings.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  settings.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  settings.kafka_bootstrap_servers = env.HostPortList("KAFKA_BOOTSTRAP_SERVERS", "");
  settings.kafka_group_instance_id =
      env.Identifier("KAFKA_GROUP_INSTANCE_ID", std::string(service) + "-" + Hostname(), kMaxGroupInstanceId);
  settings.observability = ReadObservabilitySettings(env);
  settings.tls = ReadTlsSettings(env);
  settings.kafka_tls = ReadKafkaTls(env, settings.kafka_bootstrap_servers, settings.tls);
  settings.grpc_reflection = env.OneOf("GRPC_REFLECTION", "off", {"on", "off"}) == "on";
  return settings;
}

}  // namespace storefront::config

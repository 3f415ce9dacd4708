// The settings every Storefront service reads the same way: where it listens, its database,
// its log level and (optionally) the Kafka brokers. A service's Config derives from
// ServiceSettings and reads only its own extra settings beside ReadServiceSettings.
#pragma once

#include <string>
#include <string_view>

#include "shared/config/env.h"

namespace storefront::config {

// Where a process shows its figures and sends its spans (docs/observability.md); the gateway
// reads the same two settings.
struct ObservabilitySettings {
  std::string metrics_address;   // METRICS_ADDR, host:port of the /metrics endpoint; empty: none
  std::string trace_export_url;  // TRACE_EXPORT_URL, a Zipkin v2 spans endpoint (http://...); empty:
                                 // trace context still travels, spans are not exported
};

ObservabilitySettings ReadObservabilitySettings(Env& env);

// Mutual TLS on every gRPC connection a process makes or accepts (SECURITY.md): its own
// certificate and key, which name it (spiffe://storefront/<name>), and the CA every peer's
// certificate must chain to. The gateway reads the same settings.
struct TlsSettings {
  std::string ca_file = {};    // TLS_CA_FILE, PEM
  std::string cert_file = {};  // TLS_CERT_FILE, PEM: this process's certificate
  std::string key_file = {};   // TLS_KEY_FILE, PEM: its private key
  // GRPC_PLAINTEXT=on and none of the three files: gRPC without TLS, for a process under a test
  // that starts it alone. Never in a deployment: nothing then tells callers apart.
  bool plaintext = false;
  bool enabled() const { return !cert_file.empty(); }
};

// All three files, or GRPC_PLAINTEXT=on and none of them; anything else is a problem recorded in
// `env` (a process never falls back to plaintext because a setting is missing).
TlsSettings ReadTlsSettings(Env& env);

// How the process reaches Kafka at `bootstrap_servers`. KAFKA_SECURITY_PROTOCOL=ssl (the default):
// over TLS with the process's own certificate (`tls`), by which the broker knows it (User:<name>)
// and authorizes it (shared/events/kafka_acls.h); then `tls` itself. plaintext: no TLS, no
// identity, for the development broker and tests (the settings then name no certificate). ssl
// without a certificate is a problem recorded in `env`. Without a broker: no certificate.
TlsSettings ReadKafkaTls(Env& env, const std::string& bootstrap_servers, const TlsSettings& tls);

struct ServiceSettings {
  std::string grpc_address;  // GRPC_LISTEN_ADDR; port 0 picks a free port (tests)
  std::string database_url;  // DATABASE_URL, required
  int db_pool_size = 8;      // DB_POOL_SIZE, 1..64
  std::string log_level;     // LOG_LEVEL: debug, info, warn or error
  // KAFKA_BOOTSTRAP_SERVERS, "host:port[,host:port...]"; empty runs without Kafka: events still
  // go to the outbox, nothing is published or consumed (tests of the service alone).
  std::string kafka_bootstrap_servers;
  // KAFKA_GROUP_INSTANCE_ID: this replica's static membership name in its consumer group, stable
  // across its restarts and distinct from every other replica's; default "<service>-<hostname>"
  // (a container's hostname survives its restarts). Letters, digits, '.', '_' and '-'.
  std::string kafka_group_instance_id;
  ObservabilitySettings observability;
  TlsSettings tls = {};
  TlsSettings kafka_tls = {};  // KAFKA_SECURITY_PROTOCOL: `tls` (ssl) or none (plaintext)
  // GRPC_REFLECTION=on: the server also answers gRPC server reflection (for grpcurl and the like,
  // to callers with a certificate of the CA); off by default.
  bool grpc_reflection = false;
};

// Reads the common settings into `env`'s error list; the caller reads its own settings and then
// calls env.Validate(), so every problem is reported in one message. `service` is the role
// named in the DATABASE_URL message; the default listen address is 127.0.0.1:<default_port>.
ServiceSettings ReadServiceSettings(Env& env, std::string_view service, int default_port);

}  // namespace storefront::config

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
};

// Reads the common settings into `env`'s error list; the caller reads its own settings and then
// calls env.Validate(), so every problem is reported in one message. `service` is the role
// named in the DATABASE_URL message; the default listen address is 127.0.0.1:<default_port>.
ServiceSettings ReadServiceSettings(Env& env, std::string_view service, int default_port);

}  // namespace storefront::config

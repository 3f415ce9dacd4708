#include "shared/config/service_settings.h"

namespace storefront::config {

ServiceSettings ReadServiceSettings(Env& env, std::string_view service, int default_port) {
  ServiceSettings settings;
  settings.grpc_address =
      env.HostPort("GRPC_LISTEN_ADDR", "127.0.0.1:" + std::to_string(default_port), /*allow_zero_port=*/true);
  settings.database_url =
      env.Required("DATABASE_URL", "PostgreSQL connection string for the " + std::string(service) + " role");
  settings.db_pool_size = static_cast<int>(env.Int("DB_POOL_SIZE", 8, 1, 64));
  settings.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  settings.kafka_bootstrap_servers = env.HostPortList("KAFKA_BOOTSTRAP_SERVERS", "");
  return settings;
}

}  // namespace storefront::config

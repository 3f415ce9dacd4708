// inventory-service: stock levels and reservations over gRPC, with a background sweeper that
// releases expired reservations. Configuration comes from the environment (see
// services/inventory/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include <cstdio>

#include "app.h"
#include "shared/log/log.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::inventory::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("inventory", config.log_level);
    storefront::inventory::App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "inventory-service: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("inventory-service failed", {{"error", error.what()}});
    return 1;
  }
}

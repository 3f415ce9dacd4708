// shipping-service: shipping quotes and shipments over gRPC. Configuration comes from the
// environment (see services/shipping/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include <cstdio>

#include "app.h"
#include "shared/log/log.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::shipping::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("shipping", config.log_level);
    storefront::shipping::App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "shipping-service: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("shipping-service failed", {{"error", error.what()}});
    return 1;
  }
}

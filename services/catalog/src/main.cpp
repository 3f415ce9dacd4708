// catalog-service: the product catalog over gRPC. Configuration comes from the environment
// (see services/catalog/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include <cstdio>

#include "app.h"
#include "shared/log/log.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::catalog::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("catalog", config.log_level);
    storefront::catalog::App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "catalog-service: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("catalog-service failed", {{"error", error.what()}});
    return 1;
  }
}

// checkout-service: the checkout saga over gRPC. Configuration comes from the environment
// (see services/checkout/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include <cstdio>

#include "app.h"
#include "shared/log/log.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::checkout::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("checkout", config.log_level);
    storefront::checkout::App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "checkout-service: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("checkout-service failed", {{"error", error.what()}});
    return 1;
  }
}

// cart-service: shopping carts over gRPC, priced from the catalog service. Configuration comes
// from the environment (see services/cart/README.md); SIGTERM or SIGINT shuts it down gracefully.
#include <cstdio>

#include "app.h"
#include "shared/log/log.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::cart::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("cart", config.log_level);
    storefront::cart::App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "cart-service: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("cart-service failed", {{"error", error.what()}});
    return 1;
  }
}

// payments-service: card payments (authorize, capture, void, refund) over gRPC. Configuration
// comes from the environment (see services/payments/README.md); SIGTERM or SIGINT shuts it down
// gracefully.
#include <cstdio>

#include "app.h"
#include "shared/log/log.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::payments::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("payments", config.log_level);
    storefront::payments::App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "payments-service: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("payments-service failed", {{"error", error.what()}});
    return 1;
  }
}

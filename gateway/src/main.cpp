// storefront-gateway: the REST entry point (Pistache). Configuration comes from the
// environment (see gateway/README.md); SIGTERM or SIGINT stops it.
#include <cstdio>

#include "server.h"
#include "shared/log/log.h"
#include "shared/rpc/server.h"
#include "shared/service/observability.h"
#include "shared/trace/span.h"

int main() {
  storefront::rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = storefront::gateway::Config::FromEnv(storefront::config::Env());
    storefront::log::Init("gateway", config.log_level);
    storefront::trace::SetSamplePercent(config.trace_sample_percent);
    storefront::service::Observability observability("gateway", config.observability);  // outlives the server
    storefront::gateway::Server server(config);
    server.Start();
    int signal = signals.Wait();
    storefront::log::Info("termination signal received", {{"signal", signal}});
    server.Stop();
    return 0;
  } catch (const storefront::config::ConfigError& error) {
    std::fprintf(stderr, "storefront-gateway: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    storefront::log::Error("gateway failed", {{"error", error.what()}});
    return 1;
  }
}

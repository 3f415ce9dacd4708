// main() of every service:
//
//   int main() { return storefront::service::Main<storefront::cart::Config, storefront::cart::App>("cart"); }
//
// Blocks the termination signals before any thread starts, reads and validates the whole
// configuration (Config::FromEnv; every problem reported at once, exit code 2), starts JSON
// logging under the service's name, its metrics endpoint and span export (observability.h), builds
// the App, starts it and serves until SIGTERM or SIGINT (exit code 0). Anything else that escapes is logged and ends the process with exit code 1.
#pragma once

#include <cstdio>
#include <exception>

#include "shared/config/env.h"
#include "shared/log/log.h"
#include "shared/rpc/server.h"
#include "shared/service/observability.h"

namespace storefront::service {

template <typename Config, typename App>
int Main(const char* name) {
  rpc::TerminationSignals signals;  // before any thread starts
  try {
    auto config = Config::FromEnv(config::Env());
    log::Init(name, config.log_level);
    Observability observability(name, config.observability);  // outlives the App: its last spans go out
    App app(config);
    app.Start();
    app.ServeUntil(signals);
    return 0;
  } catch (const config::ConfigError& error) {
    std::fprintf(stderr, "%s-service: %s\n", name, error.what());
    return 2;
  } catch (const std::exception& error) {
    log::Error(std::string(name) + "-service failed", {{"error", error.what()}});
    return 1;
  }
}

}  // namespace storefront::service

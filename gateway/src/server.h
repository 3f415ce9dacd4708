// The gateway's composition root: configuration, upstream clients, routes, Pistache endpoint.
#pragma once

#include <pistache/endpoint.h>

#include <chrono>
#include <memory>
#include <string>

#include "http/guarded_parser.h"
#include "shared/config/env.h"

namespace storefront::gateway {

struct Config {
  std::string listen_address = "127.0.0.1:8080";
  std::string catalog_address = "127.0.0.1:50051";
  int threads = 2;  // Pistache reactor threads
  std::chrono::milliseconds upstream_timeout{2000};
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  http::Limits limits;
  std::string log_level = "info";

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

class Server {
 public:
  explicit Server(Config config);
  ~Server();

  // Binds and starts serving on background threads; returns the bound port.
  int Start();
  void Stop();

 private:
  Config config_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace storefront::gateway

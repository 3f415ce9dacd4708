#include "server.h"

#include "http/handler.h"
#include "routes/catalog_routes.h"
#include "routes/system_routes.h"
#include "shared/log/log.h"

namespace storefront::gateway {

Config Config::FromEnv(config::Env env) {
  Config config;
  config.listen_address = env.HostPort("HTTP_LISTEN_ADDR", config.listen_address, /*allow_zero_port=*/true);
  config.catalog_address = env.HostPort("CATALOG_ADDR", config.catalog_address);
  config.threads = static_cast<int>(env.Int("GATEWAY_THREADS", config.threads, 1, 64));
  config.upstream_timeout = std::chrono::milliseconds(env.Int("UPSTREAM_TIMEOUT_MS", 2000, 10, 60000));
  config.limits.max_body_bytes = static_cast<std::size_t>(env.Int("MAX_BODY_BYTES", 64 * 1024, 1024, 16 << 20));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  env.Validate();
  return config;
}

Server::Server(Config config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

int Server::Start() {
  auto catalog_channel = rpc::MakeChannel(config_.catalog_address);
  auto catalog = std::make_shared<routes::CatalogClient>(catalog_channel, config_.upstream_timeout);

  auto router = std::make_shared<http::GatewayRouter>();
  routes::AddSystemRoutes(*router, {{"catalog", catalog_channel}});
  routes::AddCatalogRoutes(*router, catalog);

  auto [host, port] = *config::SplitHostPort(config_.listen_address);
  endpoint_ = std::make_unique<Pistache::Http::Endpoint>(Pistache::Address(host, Pistache::Port(port)));
  auto options = Pistache::Http::Endpoint::options()
                     .threads(config_.threads)
                     .flags(Pistache::Tcp::Options::ReuseAddr)
                     .maxRequestSize(config_.limits.max_request_bytes())
                     .maxResponseSize(4 * 1024 * 1024)
                     .headerTimeout(config_.header_timeout)
                     .bodyTimeout(config_.body_timeout);
  endpoint_->init(options);
  endpoint_->setHandler(std::make_shared<http::GatewayHandler>(router, config_.limits));
  endpoint_->serveThreaded();
  int bound = static_cast<int>(static_cast<uint16_t>(endpoint_->getPort()));
  log::Info("gateway listening", {{"address", host + ":" + std::to_string(bound)},
                                  {"catalog", config_.catalog_address},
                                  {"threads", config_.threads}});
  return bound;
}

void Server::Stop() {
  if (!endpoint_) return;
  endpoint_->shutdown();
  endpoint_.reset();
  log::Info("gateway stopped");
}

}  // namespace storefront::gateway

#include "server.h"

#include <cstdio>

#include "accounts/accounts.h"
#include "accounts/pg_account_repository.h"
#include "accounts/validation.h"
#include "auth/jwt.h"
#include "http/handler.h"
#include "eventlog/kafka_event_log.h"
#include "routes/admin_routes.h"
#include "routes/auth_routes.h"
#include "routes/catalog_routes.h"
#include "routes/shop_routes.h"
#include "routes/system_routes.h"
#include "shared/db/migrations.h"
#include "shared/log/log.h"

namespace storefront::gateway {

namespace accounts {
const std::vector<db::Migration>& Migrations();  // embedded from migrations/ at build time
}  // namespace accounts

namespace {

// The one time a generated operator password is shown: on stderr, not in the JSON log on stdout,
// so log shipping never carries it.
void PrintGeneratedOperatorPassword(const std::string& email, const std::string& password) {
  std::fprintf(stderr,
               "\n"
               "==============================================================================\n"
               "storefront-gateway: created the operator account %s\n"
               "with this generated password (it is shown only this once; keep it safe):\n"
               "\n"
               "    %s\n"
               "\n"
               "Sign in with POST /api/v1/auth/login. To choose the password instead, set\n"
               "STOREFRONT_OPERATOR_PASSWORD before the first start.\n"
               "==============================================================================\n\n",
               email.c_str(), password.c_str());
  std::fflush(stderr);
}

}  // namespace

Config Config::FromEnv(config::Env env) {
  Config config;
  config.listen_address = env.HostPort("HTTP_LISTEN_ADDR", config.listen_address, /*allow_zero_port=*/true);
  config.catalog_address = env.HostPort("CATALOG_ADDR", config.catalog_address);
  config.cart_address = env.HostPort("CART_ADDR", "127.0.0.1:50052");
  config.checkout_address = env.HostPort("CHECKOUT_ADDR", "127.0.0.1:50053");
  config.shipping_address = env.HostPort("SHIPPING_ADDR", "127.0.0.1:50056");
  config.payments_address = env.HostPort("PAYMENTS_ADDR", "127.0.0.1:50054");
  config.inventory_address = env.HostPort("INVENTORY_ADDR", "127.0.0.1:50055");
  config.kafka_bootstrap_servers = env.String("KAFKA_BOOTSTRAP_SERVERS", "");
  config.admin_workers = static_cast<int>(env.Int("ADMIN_WORKERS", config.admin_workers, 1, 16));
  config.checkout_timeout = std::chrono::milliseconds(env.Int("CHECKOUT_TIMEOUT_MS", 15000, 100, 120000));
  config.threads = static_cast<int>(env.Int("GATEWAY_THREADS", config.threads, 1, 64));
  config.upstream_timeout = std::chrono::milliseconds(env.Int("UPSTREAM_TIMEOUT_MS", 2000, 10, 60000));
  config.limits.max_body_bytes = static_cast<std::size_t>(env.Int("MAX_BODY_BYTES", 64 * 1024, 1024, 16 << 20));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.accounts_database_url =
      env.Required("ACCOUNTS_DATABASE_URL", "PostgreSQL connection string for the accounts role");
  config.jwt_signing_key =
      env.Required("JWT_SIGNING_KEY", "HMAC-SHA256 key signing access tokens, at least 32 bytes (e.g. 64 hex digits)");
  config.jwt_ttl = std::chrono::seconds(env.Int("JWT_TTL_SECONDS", 900, 60, 24 * 3600));
  config.auth_workers = static_cast<int>(env.Int("AUTH_WORKERS", config.auth_workers, 1, 32));
  config.auth_queue_capacity = static_cast<std::size_t>(env.Int("AUTH_QUEUE_CAPACITY", 64, 1, 10000));
  config.operator_email = accounts::NormalizeEmail(env.String("STOREFRONT_OPERATOR_EMAIL", config.operator_email));
  if (auto password = env.String("STOREFRONT_OPERATOR_PASSWORD", ""); !password.empty()) {
    config.operator_password = password;
  }

  std::vector<std::string> errors = env.errors();  // plus what Env cannot check on its own
  if (!config.jwt_signing_key.empty() && config.jwt_signing_key.size() < auth::kMinKeyBytes) {
    errors.push_back("JWT_SIGNING_KEY must be at least " + std::to_string(auth::kMinKeyBytes) + " bytes, got " +
                     std::to_string(config.jwt_signing_key.size()));
  }
  if (auto problem = accounts::CheckEmail(config.operator_email); !problem.empty()) {
    errors.push_back("STOREFRONT_OPERATOR_EMAIL " + problem);
  }
  if (config.operator_password) {
    if (auto problem = accounts::CheckPassword(*config.operator_password); !problem.empty()) {
      errors.push_back("STOREFRONT_OPERATOR_PASSWORD " + problem);
    }
  }
  if (!errors.empty()) {
    std::string message = "invalid configuration:";
    for (const auto& error : errors) message += "\n  - " + error;
    throw config::ConfigError(message);
  }
  return config;
}

Server::Server(Config config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

int Server::Start() {
  auto catalog_channel = rpc::MakeChannel(config_.catalog_address);
  auto catalog = std::make_shared<routes::CatalogClient>(catalog_channel, config_.upstream_timeout);

  auto router = std::make_shared<http::GatewayRouter>();
  std::vector<routes::Upstream> upstreams = {{"catalog", catalog_channel}};
  routes::AddCatalogRoutes(*router, catalog);
  if (!config_.accounts_database_url.empty()) {
    StartAccounts(*router);
    if (!config_.cart_address.empty() && !config_.checkout_address.empty() && !config_.shipping_address.empty()) {
      routes::ShopClients shop;
      auto cart_channel = rpc::MakeChannel(config_.cart_address);
      auto shipping_channel = rpc::MakeChannel(config_.shipping_address);
      auto checkout_channel = rpc::MakeChannel(config_.checkout_address);
      shop.cart = std::make_shared<rpc::Client<storefront::cart::v1::CartService>>(cart_channel, config_.upstream_timeout);
      shop.shipping = std::make_shared<rpc::Client<storefront::shipping::v1::ShippingService>>(shipping_channel,
                                                                                               config_.upstream_timeout);
      shop.checkout = std::make_shared<rpc::Client<storefront::checkout::v1::CheckoutService>>(
          checkout_channel, config_.checkout_timeout);
      auto checkout = shop.checkout;
      auto shipping = shop.shipping;
      routes::AddShopRoutes(*router, verifier_, std::move(shop));
      upstreams.push_back({"cart", cart_channel});
      upstreams.push_back({"checkout", checkout_channel});
      upstreams.push_back({"shipping", shipping_channel});
      if (!config_.inventory_address.empty() && !config_.payments_address.empty()) {
        auto inventory_channel = rpc::MakeChannel(config_.inventory_address);
        auto payments_channel = rpc::MakeChannel(config_.payments_address);
        upstreams.push_back({"payments", payments_channel});
        upstreams.push_back({"inventory", inventory_channel});
        routes::AdminClients admin;
        admin.catalog = catalog;
        admin.inventory = std::make_shared<rpc::Client<storefront::inventory::v1::InventoryService>>(
            inventory_channel, config_.upstream_timeout);
        // Cancelling and refunding call other services in turn: the checkout deadline fits them.
        admin.checkout = checkout;
        admin.shipping = shipping;
        admin.services = upstreams;
        admin.database = accounts_pool_;
        if (!config_.kafka_bootstrap_servers.empty()) {
          admin.events = std::make_shared<eventlog::KafkaEventLog>(config_.kafka_bootstrap_servers);
        }
        admin_workers_ = std::make_shared<http::BlockingPool>(static_cast<std::size_t>(config_.admin_workers),
                                                              config_.admin_queue_capacity);
        admin.workers = admin_workers_;
        routes::AddAdminRoutes(*router, verifier_, std::move(admin));
      }
    }
  }
  routes::AddSystemRoutes(*router, std::move(upstreams));
  for (auto& route : extra_routes_) router->Add(route.method, route.pattern, route.handler);

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

void Server::AddRoute(Pistache::Http::Method method, std::string pattern, http::Handler handler) {
  extra_routes_.push_back({method, std::move(pattern), std::move(handler)});
}

void Server::StartAccounts(http::GatewayRouter& router) {
  // Only the workers touch the database, one connection each.
  // The console's database check (SELECT 1) borrows one too, rarely and briefly.
  auto pool = std::make_shared<db::Pool>(config_.accounts_database_url, static_cast<std::size_t>(config_.auth_workers),
                                         std::chrono::seconds(5), accounts::PgAccountRepository::Prepare);
  accounts_pool_ = pool;
  {
    auto connection = pool->Acquire();
    db::Migrate(*connection, "accounts", accounts::Migrations());
  }
  auto service = std::make_shared<accounts::Accounts>(std::make_shared<accounts::PgAccountRepository>(pool),
                                                      std::make_shared<accounts::Argon2idHasher>());

  auto bootstrap = service->EnsureOperator(config_.operator_email, config_.operator_password);
  switch (bootstrap.outcome) {
    case accounts::Accounts::OperatorOutcome::kCreated:
      log::Info("operator account created",
                {{"email", config_.operator_email},
                 {"password", bootstrap.generated_password ? "generated, printed once on stderr"
                                                           : "from STOREFRONT_OPERATOR_PASSWORD"}});
      if (bootstrap.generated_password) PrintGeneratedOperatorPassword(config_.operator_email, *bootstrap.generated_password);
      break;
    case accounts::Accounts::OperatorOutcome::kExists:
      log::Info("operator account exists", {{"email", config_.operator_email}});
      break;
    case accounts::Accounts::OperatorOutcome::kExistsAsShopper:
      log::Warn("STOREFRONT_OPERATOR_EMAIL belongs to a shopper account, which is not promoted; no operator created",
                {{"email", config_.operator_email}});
      break;
  }

  verifier_ = std::make_shared<auth::TokenVerifier>(config_.jwt_signing_key);
  auth_workers_ = std::make_shared<http::BlockingPool>(static_cast<std::size_t>(config_.auth_workers),
                                                       config_.auth_queue_capacity);
  routes::AddAuthRoutes(router, {service, std::make_shared<auth::TokenIssuer>(config_.jwt_signing_key, config_.jwt_ttl),
                                 verifier_, auth_workers_});
}

void Server::Stop() {
  // Let queued sign-ins finish and answer while the endpoint can still deliver their responses;
  // requests arriving meanwhile get 503.
  if (auth_workers_) auth_workers_->Shutdown();
  if (admin_workers_) admin_workers_->Shutdown();
  if (!endpoint_) return;
  endpoint_->shutdown();
  endpoint_.reset();
  log::Info("gateway stopped");
}

}  // namespace storefront::gateway

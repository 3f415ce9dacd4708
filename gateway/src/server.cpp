#include "server.h"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
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
#include "shared/rpc/guard_settings.h"

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

// Pistache 0.0.5 answers 408 on a connection whose request has not been answered within its
// header timeout (it counts from the last request it parsed, not from the last bytes read), so
// the timeout must outlast the longest budget the gateway gives a request; otherwise a checkout
// still within its budget would get a 408 instead of its answer.
std::chrono::milliseconds HeaderTimeout(const Config& config) {
  auto longest = std::max(config.checkout_timeout, config.upstream_timeout);
  return std::max(config.header_timeout, longest + std::chrono::seconds(1));
}

// Pistache 0.0.5 also counts the keep-alive timeout from when the last request was read, and
// closes the connection when it runs out even while an answer is still being written: a shorter
// one would cut off the answers of requests that took nearly their whole budget. So it is at
// least that budget plus 1 s.
std::chrono::milliseconds KeepaliveTimeout(const Config& config) {
  auto longest = std::max(config.checkout_timeout, config.upstream_timeout);
  return std::max(config.keepalive_timeout, longest + std::chrono::seconds(1));
}

// The connection cap, kept below the process's open-file limit (less what the gateway needs
// besides: channels, the accounts database, logs), so that accept never fails for want of a
// descriptor while the cap is not reached.
std::int64_t ConnectionCap(std::int64_t configured) {
  if (configured <= 0) return 0;
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return configured;
  const auto room = static_cast<std::int64_t>(files.rlim_cur) - 128;
  if (configured <= room) return configured;
  const std::int64_t cap = std::max<std::int64_t>(room, 1);
  log::Warn("HTTP_MAX_CONNECTIONS lowered to what the open-file limit leaves room for",
            {{"configured", configured}, {"cap", cap}, {"open_file_limit", static_cast<std::int64_t>(files.rlim_cur)}});
  return cap;
}

}  // namespace

Config Config::FromEnv(config::Env env) {
  Config config;
  config.listen_address = env.HostPort("HTTP_LISTEN_ADDR", config.listen_address, /*allow_zero_port=*/true);
  config.catalog_address = env.GrpcTarget("CATALOG_ADDR", config.catalog_address);
  config.cart_address = env.GrpcTarget("CART_ADDR", "127.0.0.1:50052");
  config.checkout_address = env.GrpcTarget("CHECKOUT_ADDR", "127.0.0.1:50053");
  config.shipping_address = env.GrpcTarget("SHIPPING_ADDR", "127.0.0.1:50056");
  config.payments_address = env.GrpcTarget("PAYMENTS_ADDR", "127.0.0.1:50054");
  config.inventory_address = env.GrpcTarget("INVENTORY_ADDR", "127.0.0.1:50055");
  config.kafka_bootstrap_servers = env.String("KAFKA_BOOTSTRAP_SERVERS", "");
  config.console = observability::ReadConsoleSettings(env);
  config.admin_workers = static_cast<int>(env.Int("ADMIN_WORKERS", config.admin_workers, 1, 16));
  config.checkout_timeout = std::chrono::milliseconds(env.Int("CHECKOUT_TIMEOUT_MS", 15000, 100, 120000));
  config.threads = static_cast<int>(env.Int("GATEWAY_THREADS", config.threads, 1, 64));
  config.upstream_timeout = std::chrono::milliseconds(env.Int("UPSTREAM_TIMEOUT_MS", 2000, 10, 60000));
  config.guard = rpc::ReadGuardSettings(env);
  config.stale_reads_capacity = static_cast<std::size_t>(env.Int("STALE_READS_CAPACITY", 10000, 0, 1000000));
  config.stale_reads_max_bytes =
      static_cast<std::size_t>(env.Int("STALE_READS_MAX_BYTES", 64 << 20, 0, std::int64_t{4} << 30));
  config.read_cache.capacity = static_cast<std::size_t>(env.Int("READ_CACHE_CAPACITY", 10000, 0, 1000000));
  config.read_cache.max_bytes =
      static_cast<std::size_t>(env.Int("READ_CACHE_MAX_BYTES", 32 << 20, 0, std::int64_t{4} << 30));
  config.read_cache.ttl = std::chrono::seconds(env.Int("READ_CACHE_TTL_SECONDS", 300, 1, 86400));
  config.limits.max_body_bytes = static_cast<std::size_t>(env.Int("MAX_BODY_BYTES", 64 * 1024, 1024, 16 << 20));
  config.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  config.observability = config::ReadObservabilitySettings(env);
  config.tls = config::ReadTlsSettings(env);
  config.kafka_tls = config::ReadKafkaTls(env, config.kafka_bootstrap_servers, config.tls);
  config.trace_sample_percent = static_cast<int>(env.Int("TRACE_SAMPLE_PERCENT", 100, 0, 100));
  config.accounts_database_url =
      env.Required("ACCOUNTS_DATABASE_URL", "PostgreSQL connection string for the accounts role");
  config.jwt_signing_key =
      env.Required("JWT_SIGNING_KEY", "HMAC-SHA256 key signing access tokens, at least 32 bytes (e.g. 64 hex digits)");
  config.jwt_ttl = std::chrono::seconds(env.Int("JWT_TTL_SECONDS", 900, 60, 24 * 3600));
  config.session_ttl = std::chrono::seconds(env.Int("SESSION_TTL_SECONDS", config.session_ttl.count(), 300, 90 * 86400));
  const std::string verification_keys = env.String("JWT_VERIFICATION_KEYS", "");
  for (std::string_view rest = verification_keys; !rest.empty();) {
    const auto comma = rest.find(',');
    config.jwt_verification_keys.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  config.auth_workers = static_cast<int>(env.Int("AUTH_WORKERS", config.auth_workers, 1, 32));
  config.auth_queue_capacity = static_cast<std::size_t>(env.Int("AUTH_QUEUE_CAPACITY", 64, 1, 10000));
  config.operator_email = accounts::NormalizeEmail(env.String("STOREFRONT_OPERATOR_EMAIL", config.operator_email));
  if (auto password = env.String("STOREFRONT_OPERATOR_PASSWORD", ""); !password.empty()) {
    config.operator_password = password;
  }

  // Rate limits, failed sign-ins and load shedding (README "Rate limits and load shedding").
  http::RateLimitSettings rate_limits;
  for (auto* policy :
       {&rate_limits.general, &rate_limits.register_account, &rate_limits.login, &rate_limits.checkout}) {
    std::string prefix = "RATE_LIMIT_" + policy->name;  // RATE_LIMIT_LOGIN_QUOTA, ..._WINDOW_SECONDS
    for (auto& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    policy->quota = static_cast<int>(env.Int(prefix + "_QUOTA", policy->quota, 1, 1000000));
    policy->window = std::chrono::seconds(env.Int(prefix + "_WINDOW_SECONDS", policy->window.count(), 1, 86400));
  }
  rate_limits.max_keys = static_cast<std::size_t>(env.Int("RATE_LIMIT_MAX_KEYS", 100000, 1000, 10000000));
  config.rate_limits = rate_limits;
  http::LoginThrottleSettings login;
  login.per_pair = static_cast<int>(env.Int("LOGIN_FAILURES_PER_PAIR", login.per_pair, 1, 1000));
  login.per_email = static_cast<int>(env.Int("LOGIN_FAILURES_PER_EMAIL", login.per_email, 2, 1000000));
  login.per_address = static_cast<int>(env.Int("LOGIN_FAILURES_PER_ADDRESS", login.per_address, 1, 1000000));
  login.window = std::chrono::seconds(env.Int("LOGIN_FAILURE_WINDOW_SECONDS", login.window.count(), 1, 86400));
  login.max_keys = rate_limits.max_keys;
  if (login.per_email <= login.per_pair) {
    env.Problem("LOGIN_FAILURES_PER_EMAIL (" + std::to_string(login.per_email) +
                ") must be above LOGIN_FAILURES_PER_PAIR (" + std::to_string(login.per_pair) +
                "), or one address could lock an account out");
  }
  config.login_throttle = login;
  config.max_in_flight_requests = env.Int("MAX_IN_FLIGHT_REQUESTS", 1000, 1, 1000000);
  config.keepalive_timeout = std::chrono::milliseconds(env.Int("HTTP_KEEPALIVE_TIMEOUT_MS", 0, 0, 300000));
  config.max_connections = env.Int("HTTP_MAX_CONNECTIONS", 1000, 1, 1000000);
  // A browser opens up to 6 connections to a host; 100 leaves room for an office behind one NAT
  // address while one host alone cannot take the whole cap (never more than the cap). 0: none.
  config.max_connections_per_address = env.Int("HTTP_MAX_CONNECTIONS_PER_ADDRESS",
                                               std::min<std::int64_t>(100, config.max_connections), 0, 1000000);
  if (config.max_connections_per_address > config.max_connections) {
    env.Problem("HTTP_MAX_CONNECTIONS_PER_ADDRESS (" + std::to_string(config.max_connections_per_address) +
                ") must not be above HTTP_MAX_CONNECTIONS (" + std::to_string(config.max_connections) + ")");
  }
  std::string proxies_error;
  if (auto proxies = http::TrustedProxies::Parse(env.String("TRUSTED_PROXIES", ""), &proxies_error)) {
    config.trusted_proxies = *proxies;
  } else {
    env.Problem("TRUSTED_PROXIES: " + proxies_error);
  }

  std::vector<std::string> errors = env.errors();  // plus what Env cannot check on its own
  if (!config.jwt_signing_key.empty() && config.jwt_signing_key.size() < auth::kMinKeyBytes) {
    errors.push_back("JWT_SIGNING_KEY must be at least " + std::to_string(auth::kMinKeyBytes) + " bytes, got " +
                     std::to_string(config.jwt_signing_key.size()));
  }
  for (const auto& key : config.jwt_verification_keys) {
    if (key.size() < auth::kMinKeyBytes) {
      errors.push_back("JWT_VERIFICATION_KEYS: each key must be at least " + std::to_string(auth::kMinKeyBytes) +
                       " bytes, one has " + std::to_string(key.size()));
    }
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
  guards_ = std::make_unique<rpc::Guards>(config_.guard);
  auto tls = rpc::Tls::Load(config_.tls);
  auto rate_limiter = config_.rate_limits ? std::make_shared<http::RateLimiter>(*config_.rate_limits) : nullptr;
  // One client per upstream, each behind that upstream's breaker and bulkhead (rpc::Client).
  auto client_options = [this, tls](const std::string& target, const char* upstream, std::chrono::milliseconds timeout) {
    return rpc::ClientOptions{
        .target = target, .upstream = upstream, .tls = tls, .timeout = timeout, .guards = guards_.get()};
  };
  auto catalog = std::make_shared<routes::CatalogClient>(client_options(config_.catalog_address, "catalog", config_.upstream_timeout));

  auto router = std::make_shared<http::GatewayRouter>();
  std::vector<routes::Upstream> upstreams = {{"catalog", catalog->shared_channel()}};
  if (!config_.kafka_bootstrap_servers.empty() && config_.read_cache.capacity > 0) {
    read_cache_ = std::make_shared<cache::ReadCache>(config_.read_cache);
    product_events_ = std::make_unique<cache::ProductEvents>(read_cache_, config_.kafka_bootstrap_servers,
                                                              config_.kafka_tls);
    product_events_->Start();
  }
  routes::AddCatalogRoutes(*router, {catalog, read_cache_,
                                     std::make_shared<fallback::LastGood>(config_.stale_reads_capacity,
                                                                          config_.stale_reads_max_bytes)});
  if (!config_.accounts_database_url.empty()) {
    StartAccounts(*router);
    if (!config_.cart_address.empty() && !config_.checkout_address.empty() && !config_.shipping_address.empty()) {
      routes::ShopClients shop;
      shop.cart = std::make_shared<rpc::Client<storefront::cart::v1::CartService>>(
          client_options(config_.cart_address, "cart", config_.upstream_timeout));
      shop.shipping = std::make_shared<rpc::Client<storefront::shipping::v1::ShippingService>>(
          client_options(config_.shipping_address, "shipping", config_.upstream_timeout));
      // Placing an order runs the whole saga: its budget is the checkout timeout.
      shop.checkout = std::make_shared<rpc::Client<storefront::checkout::v1::CheckoutService>>(
          client_options(config_.checkout_address, "checkout", config_.checkout_timeout));
      auto checkout = shop.checkout;
      auto shipping = shop.shipping;
      upstreams.push_back({"cart", shop.cart->shared_channel()});
      upstreams.push_back({"checkout", checkout->shared_channel()});
      upstreams.push_back({"shipping", shipping->shared_channel()});
      routes::AddShopRoutes(*router, verifier_, std::move(shop));
      if (!config_.inventory_address.empty() && !config_.payments_address.empty()) {
        auto inventory = std::make_shared<rpc::Client<storefront::inventory::v1::InventoryService>>(
            client_options(config_.inventory_address, "inventory", config_.upstream_timeout));
        // The gateway calls payments only to check its health.
        upstreams.push_back({"payments", rpc::MakeChannel(config_.payments_address, {}, {tls, "payments"})});
        upstreams.push_back({"inventory", inventory->shared_channel()});
        routes::AdminClients admin;
        admin.catalog = catalog;
        admin.inventory = inventory;
        // Cancelling and refunding call other services in turn: the checkout deadline fits them.
        admin.checkout = checkout;
        admin.shipping = shipping;
        admin.services = upstreams;
        admin.database = accounts_pool_;
        if (!config_.kafka_bootstrap_servers.empty()) {
          admin.events = std::make_shared<eventlog::KafkaEventLog>(config_.kafka_bootstrap_servers, config_.kafka_tls);
        }
        admin_workers_ = std::make_shared<http::BlockingPool>(static_cast<std::size_t>(config_.admin_workers),
                                                              config_.admin_queue_capacity);
        admin.workers = admin_workers_;
        admin.rate_limits = rate_limiter;
        admin.read_cache = read_cache_;
        if (!config_.console.prometheus_url.empty()) {
          admin.prometheus = std::make_shared<observability::PrometheusClient>(config_.console.prometheus_url);
        }
        admin.trace_ui_url = config_.console.trace_ui_url;
        // The fault lab and the resilience page reach every replica of every service.
        admin.replicas = std::make_shared<routes::admin::Replicas>(std::vector<routes::admin::ServiceAddress>{
            {"catalog", config_.catalog_address},
            {"cart", config_.cart_address},
            {"checkout", config_.checkout_address},
            {"payments", config_.payments_address},
            {"inventory", config_.inventory_address},
            {"shipping", config_.shipping_address}},
            tls);
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
                     .headerTimeout(HeaderTimeout(config_))
                     .bodyTimeout(config_.body_timeout)
                     .keepaliveTimeout(KeepaliveTimeout(config_));
  endpoint_->init(options);
  http::Protection protection{rate_limiter, config_.max_in_flight_requests, config_.trusted_proxies,
                              ConnectionCap(config_.max_connections), config_.max_connections_per_address};
  endpoint_->setHandler(std::make_shared<http::GatewayHandler>(router, config_.limits, std::move(protection)));
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
                                                      std::make_shared<accounts::Argon2idHasher>(), config_.session_ttl);

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

  std::vector<std::string> keys{config_.jwt_signing_key};
  keys.insert(keys.end(), config_.jwt_verification_keys.begin(), config_.jwt_verification_keys.end());
  verifier_ = std::make_shared<auth::TokenVerifier>(keys);
  auth_workers_ = std::make_shared<http::BlockingPool>(static_cast<std::size_t>(config_.auth_workers),
                                                       config_.auth_queue_capacity);
  routes::AddAuthRoutes(router, {service, std::make_shared<auth::TokenIssuer>(config_.jwt_signing_key, config_.jwt_ttl),
                                 verifier_, auth_workers_,
                                 config_.login_throttle ? std::make_shared<http::LoginThrottle>(*config_.login_throttle)
                                                        : nullptr});
}

void Server::Stop() {
  // Let queued sign-ins finish and answer while the endpoint can still deliver their responses;
  // requests arriving meanwhile get 503.
  if (auth_workers_) auth_workers_->Shutdown();
  if (admin_workers_) admin_workers_->Shutdown();
  if (product_events_) product_events_->Stop();
  if (!endpoint_) return;
  endpoint_->shutdown();
  endpoint_.reset();
  log::Info("gateway stopped");
}

}  // namespace storefront::gateway

// The gateway's composition root: configuration, upstream clients, routes, Pistache endpoint.
#pragma once

#include <pistache/endpoint.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accounts/accounts.h"
#include "auth/jwt.h"
#include "cache/product_events.h"
#include "cache/read_cache.h"
#include "http/blocking_pool.h"
#include "http/guarded_parser.h"
#include "http/handler.h"
#include "observability/settings.h"
#include "shared/config/env.h"
#include "shared/config/service_settings.h"
#include "shared/db/pool.h"
#include "shared/rpc/guard.h"

namespace storefront::gateway {

struct Config {
  std::string listen_address = "127.0.0.1:8080";
  std::string catalog_address = "127.0.0.1:50051";
  // The services behind the shopper routes; empty (as in tests of the HTTP layer alone) leaves
  // those routes out. FromEnv fills in the local defaults.
  std::string cart_address;
  std::string shipping_address;
  std::string checkout_address;
  // Only the operator routes call these (and the health page checks them); empty leaves the
  // operator routes out.
  std::string inventory_address;
  std::string payments_address;
  // The broker the operator console reads events from; empty: the health page says "not
  // configured" and the event routes answer 503.
  std::string kafka_bootstrap_servers;
  // Where the console's live figures come from (PROMETHEUS_URL) and where an order's trace is shown
  // (TRACE_UI_URL); both optional: without them the figures answer 503, orders carry no trace_url.
  observability::ConsoleSettings console;
  int admin_workers = 2;                  // threads for the console's blocking calls (broker, database)
  std::size_t admin_queue_capacity = 32;  // console requests waiting for one, beyond: 503
  // Placing an order runs the whole checkout saga, so it gets a longer deadline.
  std::chrono::milliseconds checkout_timeout{15000};
  int threads = 2;  // Pistache reactor threads
  // The budget of a request's upstream calls, counted from its arrival (rpc::CallFor).
  std::chrono::milliseconds upstream_timeout{2000};
  // Each upstream's circuit breaker and bulkhead (rpc::ReadGuardSettings).
  rpc::GuardSettings guard;
  // Catalog reads kept as the fallback while the catalog fails (fallback::LastGood); 0: none.
  std::size_t stale_reads_capacity = 10000;
  std::size_t stale_reads_max_bytes = 64 << 20;  // of their bodies
  // The cache of catalog reads (cache/read_cache.h). It needs the product events, so it exists
  // only with a broker (kafka_bootstrap_servers); capacity 0: none.
  cache::ReadCacheOptions read_cache;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  // How long a connection may go after a request before its next request is complete (Pistache
  // counts from when the last one was read): idle keep-alive connections, and clients dribbling
  // their next request, are closed then (HTTP_KEEPALIVE_TIMEOUT_MS). Never less than the longest
  // request budget plus 1 s (KeepaliveTimeout in server.cpp), which is also the default (0).
  std::chrono::milliseconds keepalive_timeout{0};
  // Connections open at once; the next is answered 503 and closed (HTTP_MAX_CONNECTIONS). Kept
  // below the process's file limit at start. 0: no cap.
  std::int64_t max_connections = 0;
  // The same for one client address (an IPv6 client's /64), trusted proxies exempt
  // (HTTP_MAX_CONNECTIONS_PER_ADDRESS). 0: no cap.
  std::int64_t max_connections_per_address = 0;
  http::Limits limits;
  std::string log_level = "info";
  // METRICS_ADDR and TRACE_EXPORT_URL, as every service reads them; main() starts both.
  config::ObservabilitySettings observability;
  // TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE (or GRPC_PLAINTEXT=on), as every service reads
  // them: the gateway's identity on its calls to the services. FromEnv reads them; a Config built
  // by hand (a test's, against its own plaintext servers) says plaintext here.
  config::TlsSettings tls = {.plaintext = true};
  // KAFKA_SECURITY_PROTOCOL (config::ReadKafkaTls): `tls` for ssl, none for plaintext.
  config::TlsSettings kafka_tls = {.plaintext = true};
  // TRACE_SAMPLE_PERCENT: the share of new traces recorded (a request with a traceparent follows
  // its sampled flag). The gateway is where traces start, so only it decides.
  int trace_sample_percent = 100;

  // Rate limits, failed sign-in throttling and load shedding (README "Rate limits and load
  // shedding"). FromEnv sets a real store's defaults; a Config built by hand limits nothing.
  std::optional<http::RateLimitSettings> rate_limits;
  std::optional<http::LoginThrottleSettings> login_throttle;
  std::int64_t max_in_flight_requests = 0;  // beyond it, 503 at once; 0: never
  http::TrustedProxies trusted_proxies;     // whose X-Forwarded-For names the client

  // Accounts and authentication (README "Accounts and authentication"). FromEnv requires the
  // database URL and the key; a Config built by hand with an empty accounts_database_url serves
  // no auth routes, so HTTP tests run without a database.
  std::string accounts_database_url;
  std::string jwt_signing_key;  // HMAC-SHA256 key, at least 32 bytes
  // Other keys whose tokens are accepted (JWT_VERIFICATION_KEYS): the next key, added to every
  // replica before it signs, or the last one, until the tokens it signed have expired.
  std::vector<std::string> jwt_verification_keys;
  // How long a session's refresh token lasts after its last use (SESSION_TTL_SECONDS).
  std::chrono::seconds session_ttl = accounts::Accounts::kDefaultSessionTtl;
  std::chrono::seconds jwt_ttl{900};
  int auth_workers = 2;                  // threads hashing passwords (64 MiB each while they do)
  std::size_t auth_queue_capacity = 64;  // register/login requests waiting for one, beyond: 503
  std::string operator_email = "operator@storefront.local";
  std::optional<std::string> operator_password;  // unset: generated at the first start, printed once

  // Reads and validates every setting; throws config::ConfigError naming each problem.
  static Config FromEnv(config::Env env);
};

class Server {
 public:
  explicit Server(Config config);
  ~Server();

  // Binds and starts serving on background threads; returns the bound port. With accounts
  // configured, first applies the accounts migrations and creates the operator account.
  int Start();
  void Stop();

  // Serves one more route beside the built-in ones; call before Start (tests use it to mount a
  // route behind auth::RequireAuth).
  void AddRoute(Pistache::Http::Method method, std::string pattern, http::Handler handler);

  // The cache of catalog reads, null when there is none (tests read its figures).
  std::shared_ptr<const cache::ReadCache> read_cache() const { return read_cache_; }

 private:
  // Migrations, operator bootstrap, the auth routes and the pool they run on.
  void StartAccounts(http::GatewayRouter& router);

  Config config_;
  std::vector<http::GatewayRouter::Route> extra_routes_;
  std::shared_ptr<db::Pool> accounts_pool_;
  std::shared_ptr<http::BlockingPool> auth_workers_;
  // The operator console's blocking work, apart from sign-ins so a slow broker never delays them.
  std::shared_ptr<http::BlockingPool> admin_workers_;
  std::shared_ptr<const auth::TokenVerifier> verifier_;
  // Each upstream's breaker and bulkhead; outlives the clients that hold its guards.
  std::unique_ptr<rpc::Guards> guards_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  std::shared_ptr<cache::ReadCache> read_cache_;          // null without a broker
  std::unique_ptr<cache::ProductEvents> product_events_;  // keeps read_cache_ in step
};

}  // namespace storefront::gateway

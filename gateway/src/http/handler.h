// The Pistache handler: turns parsed requests into (Request, Responder) pairs for the router.
//
// Two fixes to Pistache 0.0.5 live here:
//  * Keep-alive. Pistache answers "Connection: close" to any request without a Connection
//    header, so HTTP/1.1 clients (which keep connections open by default, RFC 9112 §9.3)
//    reconnect for every request. onRequest removes that header for HTTP/1.1 requests that
//    did not ask to close; HTTP/1.0 requests keep Pistache's behaviour.
//  * Hostile input. onConnection installs a GuardedParser (see guarded_parser.h); requests
//    it rejected are answered with problem+json and their connection is closed.
//
// And the gateway's protection of itself (Protection), before any work is done for a request:
// a cap on open connections (onConnection), load shedding (more than max_in_flight requests held:
// 503 with Retry-After: 1 at once, the probes excepted) and the client address's rate limit (429;
// see rate_limit.h).
#pragma once

#include <pistache/http.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/codec.h"
#include "http/exchange.h"
#include "http/guarded_parser.h"
#include "http/rate_limit.h"
#include "http/router.h"
#include "shared/metrics/metrics.h"

namespace storefront::gateway::http {

using Handler = std::function<void(const Request&, std::shared_ptr<Responder>)>;
using GatewayRouter = Router<Handler>;

struct Protection {
  std::shared_ptr<RateLimiter> rate_limiter;  // null: no request is rate-limited
  std::int64_t max_in_flight = 0;             // 0: never shed
  TrustedProxies trusted_proxies;             // whose X-Forwarded-For names the client
  // Connections open at once; the next one is answered 503 (Retry-After: 1) and closed before
  // anything is read from it. 0: no cap.
  std::int64_t max_connections = 0;
  // The same, for the connections from one client address (an IPv6 client's /64, as the rate
  // limits key it), so that one host cannot take every place under max_connections. A trusted
  // proxy's address is exempt: it carries many clients. 0: no cap.
  std::int64_t max_connections_per_address = 0;
};

// Open connections per client address: each counted while its Peer holds a slot.
class AddressCounts {
 public:
  // Counts one more connection from `key`; returns how many are open from it now.
  std::int64_t Add(const std::string& key);
  void Remove(const std::string& key);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> counts_;
};

// Open HTTP connections and those refused over the cap (Protection::max_connections).
struct ConnectionFiguresT {
  prometheus::Gauge& open = metrics::Gauges("http_server_connections", "HTTP connections open.").Add({});
  prometheus::Counter& refused = metrics::Counters(
      "http_server_connections_refused_total",
      "HTTP connections answered 503 and closed: as many were open as the cap, in all or from the client's address.")
                                     .Add({});
};
ConnectionFiguresT& ConnectionFigures();

class GatewayHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(GatewayHandler)

  GatewayHandler(std::shared_ptr<const GatewayRouter> router, Limits limits, Protection protection = {});

  void onRequest(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) override;

 private:
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  // Answers 503 at once; logs a line a second at most, counting the refusals in between.
  void Shed(std::shared_ptr<Responder> responder, bool close, std::int64_t in_flight);

  // Pistache clones the handler for each reactor thread; what the clones count, they share.
  struct Shared {
    InFlight in_flight;
    // Open connections, each counted by a slot its Peer holds: Pistache closes timed-out peers
    // without calling onDisconnection, but every closed peer is destroyed.
    std::shared_ptr<std::atomic<std::int64_t>> connections = std::make_shared<std::atomic<std::int64_t>>(0);
    std::shared_ptr<AddressCounts> by_address = std::make_shared<AddressCounts>();
    std::atomic<std::int64_t> shed_since_log{0};
    std::atomic<std::int64_t> next_shed_log_ns{0};
  };

  std::shared_ptr<const GatewayRouter> router_;
  Limits limits_;
  Protection protection_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace storefront::gateway::http

#include "http/handler.h"

#include <pistache/peer.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <sstream>

#include "shared/log/log.h"
#include "shared/trace/span.h"

namespace storefront::gateway::http {

namespace Http = Pistache::Http;

namespace {

std::string MethodName(Http::Method method) {
  std::ostringstream out;
  out << method;
  return out.str();
}

std::string HeaderOr(const Http::Request& request, const char* name, std::string fallback) {
  auto raw = request.headers().tryGetRaw(name);
  return raw ? raw->value() : std::move(fallback);
}

// Headers handlers may see; everything else stays in Pistache's request.
constexpr const char* kForwardedHeaders[] = {"authorization", "idempotency-key", "if-none-match"};

bool IsJsonContentType(const std::string& value) {
  std::string lower;
  for (char c : value.substr(0, value.find(';'))) lower.push_back(static_cast<char>(std::tolower(c)));
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

}  // namespace

GatewayHandler::GatewayHandler(std::shared_ptr<const GatewayRouter> router, Limits limits, Protection protection)
    : router_(std::move(router)), limits_(limits), protection_(std::move(protection)) {}

namespace {

// A connection's place in the count of open ones (and in its address's), given back when its Peer
// is destroyed.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<std::atomic<std::int64_t>> count, std::shared_ptr<AddressCounts> by_address,
                 std::string address_key)
      : count_(std::move(count)), by_address_(std::move(by_address)), address_key_(std::move(address_key)) {}
  ~ConnectionSlot() {
    count_->fetch_sub(1);
    if (!address_key_.empty()) by_address_->Remove(address_key_);
    ConnectionFigures().open.Decrement();
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<std::atomic<std::int64_t>> count_;
  std::shared_ptr<AddressCounts> by_address_;
  std::string address_key_;  // empty: not counted by address
};

constexpr const char* kConnectionSlot = "storefront.connection-slot";
// Marks a connection refused over the cap: what it had already sent is read (the socket's
// buffer) but never handled.
constexpr const char* kRefusedConnection = "storefront.refused-connection";

// The answer to a connection over a cap, written before its request is read (RFC 9110 allows a
// response before the request is complete), then the connection is closed.
std::string OverCapacityAnswer(const std::string& detail) {
  const std::string body =
      R"({"type":"https://storefront.dev/problems/too-many-connections","title":"Service unavailable",)"
      R"("status":503,"detail":")" + detail + R"("})";
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n"
         "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

ConnectionFiguresT& ConnectionFigures() {
  static ConnectionFiguresT figures;
  return figures;
}

std::int64_t AddressCounts::Add(const std::string& key) {
  std::lock_guard lock(mutex_);
  return ++counts_[key];
}

void AddressCounts::Remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(key);
  if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
}

void GatewayHandler::onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  peer->putData(ParserData, std::make_shared<GuardedParser>(getMaxRequestSize(), limits_));
  const std::int64_t open = shared_->connections->fetch_add(1) + 1;
  ConnectionFigures().open.Increment();
  // Counted by address too, unless it is a trusted proxy's (many clients share it).
  std::string address_key;
  if (protection_.max_connections_per_address > 0) {
    const std::string address = peer->address().host();
    if (!protection_.trusted_proxies.Contains(address)) address_key = AddressPartition(address);
  }
  const std::int64_t from_address = address_key.empty() ? 0 : shared_->by_address->Add(address_key);
  auto slot = std::make_shared<ConnectionSlot>(shared_->connections, shared_->by_address, address_key);
  const bool over_total = protection_.max_connections > 0 && open > protection_.max_connections;
  const bool over_address = !address_key.empty() && from_address > protection_.max_connections_per_address;
  if (!over_total && !over_address) {
    peer->putData(kConnectionSlot, std::move(slot));
    return;
  }
  slot.reset();  // refused: not counted
  ConnectionFigures().refused.Increment();
  // A request it sent with its connect may already be buffered, and Pistache reads it after the
  // shutdown below: it must not run, since the client was told 503 (not processed) and may retry.
  peer->putData(kRefusedConnection, std::make_shared<bool>(true));
  // The socket is new, its send buffer empty: the short answer goes out whole or not at all.
  // Shutting it down makes the reactor read end-of-file and remove the peer.
  static const std::string total = OverCapacityAnswer("the gateway has as many connections open as it takes; try again shortly");
  static const std::string per_address = OverCapacityAnswer(
      "your address has as many connections open to the gateway as one address may; reuse one or close one");
  const std::string& answer = over_total ? total : per_address;
  [[maybe_unused]] ssize_t sent = ::send(peer->fd(), answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(peer->fd(), SHUT_RDWR);
}

void GatewayHandler::onRequest(const Http::Request& request, Http::ResponseWriter response) {
  try {
    if (response.peer()->tryGetData(kRefusedConnection)) return;  // answered 503 when it connected
  } catch (const std::exception&) {
    return;  // the client is gone
  }
  auto [ticket, in_flight] = shared_->in_flight.Enter();
  if (request.version() == Http::Version::Http11 && !request.headers().tryGet<Http::Header::Connection>()) {
    response.headers().remove<Http::Header::Connection>();  // persistent by default (RFC 9112)
  }

  std::optional<Rejection> rejection;
  std::string peer_address;
  try {
    auto peer = response.peer();
    if (auto* parser = GuardedParserOf(peer)) rejection = parser->rejection();
    peer_address = peer->address().host();
  } catch (const std::exception&) {
    return;  // the client is gone
  }

  std::string request_id = HeaderOr(request, "X-Request-Id", "");
  if (!log::IsValidRequestId(request_id)) request_id = log::NewRequestId();
  std::string path = request.resource();
  if (path.size() > 256) path.resize(256);
  const std::string method = MethodName(request.method());
  auto responder = std::make_shared<Responder>(std::move(response), request_id, method, path, std::move(ticket));

  // The request's server span: a child of the caller's traceparent when it sent a valid one, else
  // the root of a new trace. Whether it is recorded is decided here (TRACE_SAMPLE_PERCENT), never
  // by the caller's flag: a client must not force its requests into the export queue. Current
  // while the handler runs, so every upstream call it starts carries it; ended by the Responder.
  auto parent = trace::ParseTraceparent(HeaderOr(request, "traceparent", ""));
  if (parent) parent->sampled = trace::DrawSampled();
  auto span = parent ? trace::Span::ChildOf(*parent, method, trace::Kind::kServer)
                     : trace::Span::Root(method, trace::Kind::kServer);
  span.Tag("http.method", method);
  span.Tag("http.path", path);
  span.Tag("request_id", request_id);
  trace::ContextScope traced(span.context());
  responder->Trace(std::move(span));
  // The route first, so that even a request refused below is counted under it.
  auto match = router_->Find(request.method(), request.resource());
  if (match.handler != nullptr) responder->SetRoute(*match.pattern);

  // Overloaded: refuse before doing anything for the request. The probes still answer, so an
  // orchestrator sees a live gateway that is busy rather than a dead one.
  if (protection_.max_in_flight > 0 && in_flight > protection_.max_in_flight && request.resource() != "/livez" &&
      request.resource() != "/readyz") {
    return Shed(std::move(responder), rejection.has_value(), in_flight);
  }

  if (rejection) {
    log::Warn("request rejected", {{"request_id", request_id}, {"status", static_cast<int>(rejection->code)},
                                   {"reason", rejection->detail}});
    std::string slug = rejection->title;
    for (auto& c : slug) c = c == ' ' ? '-' : static_cast<char>(std::tolower(c));
    responder->SendProblemAndClose({static_cast<int>(rejection->code), slug, rejection->title, rejection->detail, {}});
    return;
  }

  // Only behind a proxy we trust does X-Forwarded-For say who the client is.
  std::string client_address =
      protection_.trusted_proxies.empty()
          ? peer_address
          : protection_.trusted_proxies.ClientAddress(peer_address, HeaderOr(request, "X-Forwarded-For", ""));
  std::optional<RateLimitContext> rate_limit;
  if (protection_.rate_limiter) {
    if (const RatePolicy* policy = protection_.rate_limiter->PolicyFor(request.method(), request.resource())) {
      RateDecision decision = protection_.rate_limiter->TakeForAddress(*policy, client_address);
      if (!decision.allowed) {
        return SendRateLimited(*responder, *policy, decision,
                               "too many " + policy->name + " requests from this address; try again in " +
                                   std::to_string(decision.reset.count()) + " s");
      }
      SetRateLimitFields(*responder, *policy, decision);
      rate_limit = RateLimitContext{protection_.rate_limiter, policy, decision};
    }
  }

  std::optional<nlohmann::json> json;
  // Every body the gateway accepts is one bounded JSON document; it is checked once, here,
  // before routing, so no handler ever sees a hostile one.
  const std::string& body = request.body();
  if (!body.empty()) {
    if (!IsJsonContentType(HeaderOr(request, "Content-Type", ""))) {
      responder->SendProblem({415, "unsupported-media-type", "Unsupported media type",
                              "request bodies must be application/json", {}});
      return;
    }
    auto parsed = ParseJsonBody(body);
    if (!parsed.value) {
      responder->SendProblem(BadRequest(parsed.error));
      return;
    }
    json = std::move(parsed.value);
  }

  if (match.handler == nullptr) {
    if (!match.allowed.empty()) {
      std::string allowed;
      for (auto other : match.allowed) allowed += (allowed.empty() ? "" : ", ") + MethodName(other);
      responder->AddHeader("Allow", allowed);  // RFC 9110 §15.5.6: a 405 names the methods that are
      responder->SendProblem({405, "method-not-allowed", "Method not allowed",
                              MethodName(request.method()) + " is not supported here; use " + allowed, {}});
    } else {
      responder->SendProblem(NotFound("no route for " + path));
    }
    return;
  }

  Request exchange;
  exchange.method = request.method();
  exchange.path = path;
  exchange.request_id = request_id;
  exchange.json = std::move(json);
  exchange.client_address = std::move(client_address);
  exchange.rate_limit = std::move(rate_limit);
  for (const char* name : kForwardedHeaders) {
    if (auto raw = request.headers().tryGetRaw(name)) exchange.headers[name] = raw->value();
  }
  for (const auto& [name, raw] : match.params) {
    auto decoded = PercentDecode(raw, /*plus_is_space=*/false);
    if (!decoded || !IsValidUtf8(*decoded)) {
      responder->SendProblem(BadRequest("path parameter " + name + " is not valid percent-encoded UTF-8"));
      return;
    }
    exchange.params[name] = std::move(*decoded);
  }
  for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it) {
    auto name = PercentDecode(it->first, true);
    auto value = PercentDecode(it->second, true);
    if (!name || !value || !IsValidUtf8(*name) || !IsValidUtf8(*value)) {
      responder->SendProblem(BadRequest("query parameters must be valid percent-encoded UTF-8"));
      return;
    }
    exchange.query.emplace(std::move(*name), std::move(*value));
  }

  try {
    (*match.handler)(exchange, responder);
  } catch (const std::exception& error) {
    log::Error("handler failed", {{"request_id", request_id}, {"error", error.what()}});
    responder->SendProblem({500, "internal-error", "Internal error", "the gateway failed to answer", {}});
  }
}

void GatewayHandler::Shed(std::shared_ptr<Responder> responder, bool close, std::int64_t in_flight) {
  CountRefusal("shed", "");
  responder->SkipAccessLog();
  responder->AddHeader("Retry-After", "1");
  Problem problem{503, "overloaded", "Overloaded",
                  "the gateway is handling as many requests as it can; try again in a second", {}};
  if (close) {
    responder->SendProblemAndClose(problem);  // a rejected request's unread rest must not follow
  } else {
    responder->SendProblem(problem);
  }

  // One line a second at most, however many are refused: under overload the log must not become
  // one more thing to do per request.
  shared_->shed_since_log.fetch_add(1, std::memory_order_relaxed);
  std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
  std::int64_t next = shared_->next_shed_log_ns.load(std::memory_order_relaxed);
  if (now < next || !shared_->next_shed_log_ns.compare_exchange_strong(next, now + 1'000'000'000)) return;
  log::Warn("load shed", {{"refused", shared_->shed_since_log.exchange(0, std::memory_order_relaxed)},
                          {"in_flight", in_flight},
                          {"max_in_flight", protection_.max_in_flight},
                          {"status", 503}});
}

}  // namespace storefront::gateway::http

// One HTTP request and the means to answer it, decoupled from Pistache's reactor.
//
// Pistache calls handlers on its reactor threads, and a handler that blocks there on an
// upstream call stalls every connection of that thread. So the gateway never blocks: a
// handler copies what it needs into a Request, starts an asynchronous gRPC call, and
// returns. The Responder (shared, because callbacks are copyable std::functions) is
// completed later from gRPC's callback thread; Pistache queues the write back to the
// connection's reactor.
#pragma once

#include <pistache/http.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/gauge.h>

#include "http/problem.h"
#include "http/rate_limit.h"
#include "shared/trace/span.h"

namespace storefront::gateway::http {

struct Request {
  Pistache::Http::Method method = Pistache::Http::Method::Get;
  std::string path;
  std::map<std::string, std::string> params;  // path parameters, decoded
  std::map<std::string, std::string> query;   // query parameters, decoded (first value wins)
  std::optional<nlohmann::json> json;         // the body, when one was sent
  std::string request_id;
  // When the request arrived: its upstream calls' budget runs from here (rpc::CallFor).
  std::chrono::system_clock::time_point received_at = std::chrono::system_clock::now();
  // The request headers handlers may read, by lower-case name (Authorization, Idempotency-Key).
  std::map<std::string, std::string> headers;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  // Who sent it: the TCP peer, or behind trusted proxies the client they name (rate_limit.h).
  std::string client_address;
  // Set when the route is rate-limited; auth::RequireAuth charges the account through it.
  std::optional<RateLimitContext> rate_limit;
};

// http_server_requests_in_flight: every InFlight of the process together.
prometheus::Gauge& InFlightGauge();

// How many requests the gateway holds right now, for load shedding: each counts from the first
// line of GatewayHandler::onRequest until its Responder answers (or is dropped unanswered).
class InFlight {
 public:
  // One request's place in the count, given back once (on Release or destruction).
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept : count_(std::move(other.count_)) {}
    Ticket& operator=(Ticket&& other) noexcept {
      Release();
      count_ = std::move(other.count_);
      return *this;
    }
    ~Ticket() { Release(); }
    void Release() {
      if (count_) {
        count_->fetch_sub(1, std::memory_order_relaxed);
        InFlightGauge().Decrement();
      }
      count_.reset();
    }

   private:
    friend class InFlight;
    explicit Ticket(std::shared_ptr<std::atomic<std::int64_t>> count) : count_(std::move(count)) {}
    // Shared, because a Responder may outlive the handler that counted it (a late gRPC answer).
    std::shared_ptr<std::atomic<std::int64_t>> count_;
  };

  // Counts one more request: its ticket, and how many are held now, this one included.
  std::pair<Ticket, std::int64_t> Enter() {
    std::int64_t now = count_->fetch_add(1, std::memory_order_relaxed) + 1;
    InFlightGauge().Increment();
    return {Ticket(count_), now};
  }

 private:
  std::shared_ptr<std::atomic<std::int64_t>> count_ = std::make_shared<std::atomic<std::int64_t>>(0);
};

class Responder {
 public:
  // `ticket` is the request's place in the in-flight count, given back when it is answered.
  Responder(Pistache::Http::ResponseWriter writer, std::string request_id, std::string method, std::string path,
            InFlight::Ticket ticket = {});
  ~Responder();
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void Json(Pistache::Http::Code code, const nlohmann::json& body);
  void JsonText(Pistache::Http::Code code, const std::string& body);
  void SendProblem(const Problem& problem);
  // 304 Not Modified, without a body (the headers added before go with it: ETag, Cache-Control).
  void NotModified();
  // Answers and then closes the connection (used for rejected, possibly half-read requests).
  void SendProblemAndClose(const Problem& problem);
  // Adds a header to the response, whichever Send it ends up in (WWW-Authenticate,
  // Cache-Control, Retry-After). Call before answering; later calls are ignored.
  void AddHeader(std::string name, std::string value);
  // The same, replacing a header of that name added before (RateLimit: the tighter of two buckets).
  void SetHeader(std::string name, std::string value);
  // Writes no access line for this request (shed requests: their log is one line a second).
  void SkipAccessLog() { access_log_ = false; }
  // The route template the request matched ("/api/v1/products/:id"): the `route` label of the
  // http_server_* figures and the name of its span. Until set: "unmatched".
  void SetRoute(const std::string& route);
  // The request's server span, ended (with the status) when the answer is sent.
  void Trace(trace::Span span);

  const std::string& request_id() const { return request_id_; }

 private:
  void Send(Pistache::Http::Code code, const std::string& body, const char* content_type, bool close);

  std::mutex mutex_;
  std::optional<Pistache::Http::ResponseWriter> writer_;
  std::vector<std::pair<std::string, std::string>> extra_headers_;  // guarded by mutex_
  std::string request_id_;
  std::string method_;
  std::string path_;
  std::chrono::steady_clock::time_point started_;
  InFlight::Ticket ticket_;  // released by the Send that answers
  std::atomic<bool> access_log_{true};
  std::string route_ = "unmatched";    // guarded by mutex_
  std::optional<trace::Span> span_;    // guarded by mutex_
};

}  // namespace storefront::gateway::http

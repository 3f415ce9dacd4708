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

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/problem.h"

namespace storefront::gateway::http {

struct Request {
  Pistache::Http::Method method = Pistache::Http::Method::Get;
  std::string path;
  std::map<std::string, std::string> params;  // path parameters, decoded
  std::map<std::string, std::string> query;   // query parameters, decoded (first value wins)
  std::optional<nlohmann::json> json;         // the body, when one was sent
  std::string request_id;
  // The request headers handlers may read, by lower-case name (Authorization, Idempotency-Key).
  std::map<std::string, std::string> headers;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class Responder {
 public:
  Responder(Pistache::Http::ResponseWriter writer, std::string request_id, std::string method, std::string path);
  ~Responder();
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void Json(Pistache::Http::Code code, const nlohmann::json& body);
  void JsonText(Pistache::Http::Code code, const std::string& body);
  void SendProblem(const Problem& problem);
  // Answers and then closes the connection (used for rejected, possibly half-read requests).
  void SendProblemAndClose(const Problem& problem);
  // Adds a header to the response, whichever Send it ends up in (WWW-Authenticate,
  // Cache-Control, Retry-After). Call before answering; later calls are ignored.
  void AddHeader(std::string name, std::string value);

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
};

}  // namespace storefront::gateway::http

#include "http/handler.h"

#include <pistache/peer.h>

#include <cctype>
#include <sstream>

#include "shared/log/log.h"

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
constexpr const char* kForwardedHeaders[] = {"authorization", "idempotency-key"};

bool IsJsonContentType(const std::string& value) {
  std::string lower;
  for (char c : value.substr(0, value.find(';'))) lower.push_back(static_cast<char>(std::tolower(c)));
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

}  // namespace

GatewayHandler::GatewayHandler(std::shared_ptr<const GatewayRouter> router, Limits limits)
    : router_(std::move(router)), limits_(limits) {}

void GatewayHandler::onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  peer->putData(ParserData, std::make_shared<GuardedParser>(getMaxRequestSize(), limits_));
}

void GatewayHandler::onRequest(const Http::Request& request, Http::ResponseWriter response) {
  if (request.version() == Http::Version::Http11 && !request.headers().tryGet<Http::Header::Connection>()) {
    response.headers().remove<Http::Header::Connection>();  // persistent by default (RFC 9112)
  }

  std::optional<Rejection> rejection;
  try {
    if (auto* parser = GuardedParserOf(response.peer())) rejection = parser->rejection();
  } catch (const std::exception&) {
    return;  // the client is gone
  }

  std::string request_id = HeaderOr(request, "X-Request-Id", "");
  if (!log::IsValidRequestId(request_id)) request_id = log::NewRequestId();
  std::string path = request.resource();
  if (path.size() > 256) path.resize(256);
  auto responder = std::make_shared<Responder>(std::move(response), request_id, MethodName(request.method()), path);

  if (rejection) {
    log::Warn("request rejected", {{"request_id", request_id}, {"status", static_cast<int>(rejection->code)},
                                   {"reason", rejection->detail}});
    std::string slug = rejection->title;
    for (auto& c : slug) c = c == ' ' ? '-' : static_cast<char>(std::tolower(c));
    responder->SendProblemAndClose({static_cast<int>(rejection->code), slug, rejection->title, rejection->detail, {}});
    return;
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


  auto match = router_->Find(request.method(), request.resource());
  if (match.handler == nullptr) {
    if (!match.allowed.empty()) {
      std::string allowed;
      for (auto method : match.allowed) allowed += (allowed.empty() ? "" : ", ") + MethodName(method);
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

}  // namespace storefront::gateway::http

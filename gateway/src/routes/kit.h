// The route kit: what every route file uses, so each request is read and answered one way.
// Reading: query values, ?limit= and ?cursor=, a UUID in the path (an id that cannot exist is a
// 404, as any unknown id), the Idempotency-Key header, money and lower-case enum names.
// Answering: the 400 naming every bad field, list pages, the answer to an upstream call, and
// the proto-to-JSON pieces (money, enum names, times). Registering: handlers behind
// auth::RequireAuth over the clients their routes share.
#pragma once

#include <google/protobuf/generated_enum_reflection.h>
#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/require.h"
#include "http/handler.h"
#include "http/json_fields.h"
#include "http/problem.h"
#include "shared/rpc/client.h"
#include "storefront/common/v1/money.pb.h"

namespace storefront::gateway::routes {

using Out = std::shared_ptr<http::Responder>;
using Errors = std::vector<http::FieldError>;
using Pistache::Http::Code;
using Pistache::Http::Method;

// --- Reading a request -------------------------------------------------------------------------

// The value of query parameter `name`, or null when it is absent or empty.
const std::string* Query(const http::Request& request, const std::string& name);

// The whole of `text` as a decimal integer (a leading '-' allowed, nothing else around it), or nullopt.
std::optional<std::int64_t> ParseInteger(const std::string& text);

// ?limit=: an integer in [1, max]; nullopt when absent (the caller's default) or invalid (then
// `errors` gets {"limit", "must be an integer between 1 and <max>"}).
std::optional<int> Limit(const http::Request& request, int max, Errors& errors);

// ?limit= (see Limit) into a list request's page_size and ?cursor= into its page_token.
template <typename ListRequest>
void Paging(const http::Request& request, int max, ListRequest& upstream, Errors& errors) {
  if (auto limit = Limit(request, max, errors)) upstream.set_page_size(*limit);
  if (const auto* cursor = Query(request, "cursor")) upstream.set_page_token(*cursor);
}

// The UUID in path parameter `name`, or nullopt after answering `not_found` (or 404 "no <what>
// <id>"): an id that cannot exist is not found, like any unknown one, rather than a 400.
std::optional<std::string> PathUuid(const http::Request& request, const std::string& name, const std::string& what,
                                    http::Responder& out);
std::optional<std::string> PathUuid(const http::Request& request, const std::string& name,
                                    const http::Problem& not_found, http::Responder& out);

// The Idempotency-Key header (1 to 128 visible ASCII characters); nullopt when absent and not
// `required`, or invalid (then `errors` names "Idempotency-Key").
std::optional<std::string> IdempotencyKey(const http::Request& request, bool required, Errors& errors);

// The JSON body, or null when none was sent (http::JsonFields then reports every field missing).
const nlohmann::json* Body(const http::Request& request);

// {"amount_minor", "currency"} at `path` into `out`: an integer amount from `min` up, the currency
// shaped as an ISO 4217 code. Ceilings and which codes are taken are the services' rules.
void MoneyFields(http::JsonFields money, const std::string& path, storefront::common::v1::Money* out,
                 std::int64_t min, Errors& errors);

// The value of proto enum `Enum` that lower-case `text` names after `prefix` ("payment_authorized"
// with "ORDER_STATUS_" -> ORDER_STATUS_PAYMENT_AUTHORIZED); nullopt for any other text, upper
// case included, and for the _UNSPECIFIED value (0).
namespace internal {
bool IsLowerCase(const std::string& text);
std::string UpperCase(std::string text);
}  // namespace internal
template <typename Enum>
std::optional<Enum> EnumValue(const std::string& text, const std::string& prefix) {
  const auto* value = google::protobuf::GetEnumDescriptor<Enum>()->FindValueByName(prefix + internal::UpperCase(text));
  if (value == nullptr || value->number() == 0 || !internal::IsLowerCase(text)) return std::nullopt;
  return static_cast<Enum>(value->number());
}

// The request an upstream call serves: its id, and its arrival, from which the call's budget runs.
inline rpc::CallFor For(const http::Request& request) { return {request.request_id, request.received_at}; }

// --- Answering ---------------------------------------------------------------------------------

// 400 problem+json naming every field of `errors`, its detail their summary.
http::Problem Invalid(Errors errors);

// {"items": [render(item)...]}
template <typename Items, typename Render>
nlohmann::json ItemsJson(const Items& items, Render render) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(render(item));
  return {{"items", std::move(list)}};
}

// One page of a list: {"items": [...], "next_cursor": the upstream's page token, null on the last}.
template <typename Items, typename Render>
nlohmann::json PageJson(const Items& items, const std::string& next_page_token, Render render) {
  nlohmann::json page = ItemsJson(items, render);
  page["next_cursor"] = next_page_token.empty() ? nlohmann::json(nullptr) : nlohmann::json(next_page_token);
  return page;
}

// The callback of an upstream call: answers `code` with render(response), or the upstream's
// status as a problem (http::FromStatus: a refusal by the upstream's guard is a 503 with
// Retry-After, a spent budget a 504).
template <typename Response>
std::function<void(const grpc::Status&, Response&)> Answer(Out out, std::string upstream, Pistache::Http::Code code,
                                                           std::function<nlohmann::json(Response&)> render) {
  return [out = std::move(out), upstream = std::move(upstream), code, render = std::move(render)](
             const grpc::Status& status, Response& response) {
    if (!status.ok()) return out->SendProblem(http::FromStatus(status, upstream));
    out->Json(code, render(response));
  };
}

// {"amount_minor": 1299, "currency": "USD"}
nlohmann::json MoneyJson(const storefront::common::v1::Money& money);
// "ORDER_STATUS_PAYMENT_AUTHORIZED" with prefix "ORDER_STATUS_" -> "payment_authorized"
std::string EnumName(const std::string& full, const std::string& prefix);
// RFC 3339 ("2027-01-15T08:00:00Z"); null when not `present` (a proto field that was not set).
nlohmann::json TimeJson(const google::protobuf::Timestamp& at, bool present = true);

// --- Registering -------------------------------------------------------------------------------

// Adds handlers that share one set of clients, each behind auth::RequireAuth(verifier, role):
// `role` nullopt lets any signed-in account in, Role::kOperator only operators. A handler gets
// the clients, the request, who is calling (from the verified token) and the responder.
template <typename Clients>
class GuardedRoutes {
 public:
  using Handler = void (*)(Clients&, const http::Request&, const auth::Principal&, Out);

  GuardedRoutes(http::GatewayRouter& router, std::shared_ptr<const auth::TokenVerifier> verifier,
                std::optional<accounts::Role> role, Clients clients)
      : router_(router),
        verifier_(std::move(verifier)),
        role_(role),
        clients_(std::make_shared<Clients>(std::move(clients))) {}

  void Add(Pistache::Http::Method method, const char* path, Handler handler) {
    router_.Add(method, path,
                auth::RequireAuth(verifier_, role_,
                                  [clients = clients_, handler](const http::Request& request,
                                                                const auth::Principal& who, Out out) {
                                    handler(*clients, request, who, std::move(out));
                                  }));
  }

 private:
  http::GatewayRouter& router_;
  std::shared_ptr<const auth::TokenVerifier> verifier_;
  std::optional<accounts::Role> role_;
  std::shared_ptr<Clients> clients_;
};

}  // namespace storefront::gateway::routes

// The stub call `method` of `client` (a shared_ptr to an rpc::Client), as rpc::Client::Async wants it.
#define STOREFRONT_CALL(client, method)                                          \
  [client](auto* context, auto* request, auto* response, auto done) {            \
    client->stub().async()->method(context, request, response, std::move(done)); \
  }

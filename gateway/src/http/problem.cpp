#include "http/problem.h"

#include "shared/rpc/guard.h"

namespace storefront::gateway::http {
namespace {

constexpr const char* kTypeBase = "https://storefront.dev/problems/";

// The protos' paging fields by the names every list route takes them (?limit=, ?cursor=).
std::string RestFieldName(std::string field) {
  if (field == "page_size") return "limit";
  if (field == "page_token") return "cursor";
  return field;
}

// The message "field: what; field: what" with the paging fields renamed likewise.
std::string RestDetail(const std::string& message) {
  std::string detail;
  std::size_t start = 0;
  while (start <= message.size()) {
    auto end = message.find("; ", start);
    std::string part = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto colon = part.find(": ");
    if (colon != std::string::npos && colon > 0 && part.find(' ') >= colon) {
      part = RestFieldName(part.substr(0, colon)) + part.substr(colon);
    }
    detail += (detail.empty() ? "" : "; ") + part;
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return detail;
}

std::vector<FieldError> ParseFieldErrors(const std::string& message) {
  std::vector<FieldError> errors;
  std::size_t start = 0;
  while (start < message.size()) {
    auto end = message.find("; ", start);
    std::string part = message.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto colon = part.find(": ");
    if (colon != std::string::npos && colon > 0 && part.find(' ') >= colon) {
      errors.push_back({RestFieldName(part.substr(0, colon)), part.substr(colon + 2)});
    }
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return errors;
}

}  // namespace

nlohmann::json Problem::ToJson(const std::string& instance, const std::string& request_id) const {
  nlohmann::json body = {{"type", kTypeBase + slug},
                         {"title", title},
                         {"status", status},
                         {"detail", detail},
                         {"instance", instance},
                         {"request_id", request_id}};
  for (const auto& [key, value] : extensions.items()) {
    if (!body.contains(key)) body[key] = value;
  }
  if (!errors.empty()) {
    auto& list = body["errors"] = nlohmann::json::array();
    for (const auto& e : errors) list.push_back({{"field", e.field}, {"detail", e.detail}});
  }
  return body;
}

Problem BadRequest(std::string detail, std::vector<FieldError> errors) {
  return {400, "invalid-request", "Invalid request", std::move(detail), std::move(errors)};
}

Problem NotFound(std::string detail) { return {404, "not-found", "Not found", std::move(detail), {}}; }

Problem InternalError() { return {500, "internal-error", "Internal error", "the gateway failed to answer", {}}; }

Problem FromDomainError(const DomainError& error) {
  if (auto* invalid = dynamic_cast<const InvalidArgument*>(&error)) {
    std::vector<FieldError> errors;
    for (const auto& violation : invalid->violations()) errors.push_back({violation.field, violation.description});
    return BadRequest(invalid->what(), std::move(errors));
  }
  if (dynamic_cast<const storefront::NotFound*>(&error)) return NotFound(error.what());
  if (dynamic_cast<const AlreadyExists*>(&error) || dynamic_cast<const FailedPrecondition*>(&error)) {
    return {409, "conflict", "Conflict", error.what(), {}};
  }
  if (dynamic_cast<const Unavailable*>(&error)) {
    return {503, "unavailable", "Service unavailable", std::string(error.what()) + "; try again shortly", {}};
  }
  return InternalError();
}

Problem FromStatus(const grpc::Status& status, const std::string& upstream) {
  const std::string& message = status.error_message();
  if (int retry_after = rpc::RetryAfterSeconds(status); retry_after > 0) {
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      return {503, "upstream-busy", "Service unavailable",
              "too many calls to the " + upstream + " service are in flight; try again shortly", {}, nlohmann::json::object(), retry_after};
    }
    return {503, "upstream-circuit-open", "Service unavailable",
            "the " + upstream + " service is failing, so the gateway stops calling it for a while; try again in " +
                std::to_string(retry_after) + " s",
            {}, nlohmann::json::object(), retry_after};
  }
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return BadRequest(RestDetail(message), ParseFieldErrors(message));
    case grpc::StatusCode::NOT_FOUND:
      return NotFound(message);
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
      return {409, "conflict", "Conflict", message, {}};
    case grpc::StatusCode::UNAUTHENTICATED:
      return {401, "unauthenticated", "Unauthenticated", message, {}};
    case grpc::StatusCode::PERMISSION_DENIED:
      return {403, "forbidden", "Forbidden", message, {}};
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return {429, "too-many-requests", "Too many requests", "the " + upstream + " service is overloaded", {}};
    case grpc::StatusCode::UNAVAILABLE:
      return {503, "upstream-unavailable", "Service unavailable",
              "the " + upstream + " service is unavailable; try again shortly", {}};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {504, "upstream-timeout", "Gateway timeout",
              "the " + upstream + " service did not answer in time", {}};
    default:
      return {502, "upstream-error", "Bad gateway", "the " + upstream + " service failed", {}};
  }
}

}  // namespace storefront::gateway::http

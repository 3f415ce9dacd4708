// RFC 9457 problem details: every error the gateway returns is application/problem+json.
//
//   {"type": "https://storefront.dev/problems/invalid-request", "title": "Invalid request",
//    "status": 400, "detail": "limit must be between 1 and 100", "instance": "/api/v1/products",
//    "request_id": "…", "errors": [{"field": "limit", "detail": "must be between 1 and 100"}]}
#pragma once

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "shared/errors/errors.h"

namespace storefront::gateway::http {

struct FieldError {
  std::string field;
  std::string detail;
};

struct Problem {
  int status = 500;
  std::string slug;  // last segment of the type URI
  std::string title;
  std::string detail;
  std::vector<FieldError> errors;
  // RFC 9457 extension members, e.g. {"order_id": "..."} on a declined checkout.
  nlohmann::json extensions = nlohmann::json::object();
  // Sent as a Retry-After header when positive (an open circuit breaker, a full bulkhead).
  int retry_after_seconds = 0;

  nlohmann::json ToJson(const std::string& instance, const std::string& request_id) const;
};

Problem BadRequest(std::string detail, std::vector<FieldError> errors = {});
Problem NotFound(std::string detail);
Problem InternalError();  // 500 with a generic detail: internals are logged, not shown

// Maps an error the gateway's own use cases raise (shared/errors/errors.h), the same way
// FromStatus maps the services' codes: InvalidArgument 400 with its fields, NotFound 404,
// AlreadyExists / FailedPrecondition 409, Unavailable 503, anything else 500.
Problem FromDomainError(const DomainError& error);

// Maps an upstream gRPC status to what the shopper should see:
// INVALID_ARGUMENT 400 (fields parsed from "field: detail; ..."), NOT_FOUND 404,
// ALREADY_EXISTS / FAILED_PRECONDITION / ABORTED 409, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, DEADLINE_EXCEEDED 504,
// anything else 502 with a generic detail (upstream internals are not leaked). A call the
// gateway's own guard refused without sending it (rpc::UpstreamGuard) is a 503 with Retry-After:
// "upstream-circuit-open" while the breaker is open, "upstream-busy" while the bulkhead is full.
Problem FromStatus(const grpc::Status& status, const std::string& upstream);

}  // namespace storefront::gateway::http

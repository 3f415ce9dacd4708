// Maps the domain's errors to gRPC status codes, in one place for every service.
#pragma once

#include <grpcpp/grpcpp.h>

#include <exception>
#include <optional>
#include <string>

#include "google/rpc/status.pb.h"
#include "shared/rpc/faults.h"
#include "shared/rpc/interceptors.h"
#include "shared/types/deadline.h"

namespace storefront::rpc {

// Translates the exception currently being handled (call inside a catch block).
grpc::Status CurrentExceptionToStatus();

// gRPC's richer error model: `status` with a typed detail beside its code and message (what
// changed, for the caller to act on), sent as a google.rpc.Status in grpc-status-details-bin.
grpc::Status WithDetail(const grpc::Status& status, const google::protobuf::Message& detail);

// The detail of type T that `status` carries (WithDetail), or nullopt.
template <typename T>
std::optional<T> DetailOf(const grpc::Status& status) {
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) return std::nullopt;
  for (const auto& any : rich.details()) {
    T detail;
    if (any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

// The deadline the caller gave this call; nullopt when it gave none.
std::optional<deadline::Clock::time_point> CallerDeadline(const grpc::ServerContext& context);

// Runs the handler `body` of the call `context` and returns its status. The body runs inside a
// deadline::Scope holding the caller's deadline and whether it has hung up, so every call and
// statement it makes gets what is left of the caller's budget; a call whose caller has already
// gone is not started (DEADLINE_EXCEEDED). Any exception becomes the matching status code:
// InvalidArgument -> INVALID_ARGUMENT, NotFound -> NOT_FOUND, AlreadyExists -> ALREADY_EXISTS,
// FailedPrecondition -> FAILED_PRECONDITION, DeadlineExceeded -> DEADLINE_EXCEEDED, Unavailable
// and database outages -> UNAVAILABLE, anything else -> INTERNAL (with a generic message; the
// detail goes to the log only).
//
// The call's server span (interceptors.h) is current while the body runs: the calls it makes, the
// events it writes to the outbox and its log lines all belong to the caller's trace.
template <typename Fn>
grpc::Status Handle(grpc::ServerContext* context, Fn&& body) {
  trace::ContextScope traced(ServerSpanOf(context));
  deadline::Scope scope(CallerDeadline(*context), [context] { return context->IsCancelled(); });
  try {
    deadline::ThrowIfSpent("the call");
    faults::BeforeWork(context);  // the fault lab: added latency, or an error instead of the work
    body();
    faults::AfterWork(context);   // the fault lab: the work is done, its answer dropped
    return grpc::Status::OK;
  } catch (...) {
    return CurrentExceptionToStatus();
  }
}

}  // namespace storefront::rpc

// Maps the domain's errors to gRPC status codes, in one place for every service.
#pragma once

#include <grpcpp/grpcpp.h>

#include <exception>
#include <string>

namespace storefront::rpc {

// Translates the exception currently being handled (call inside a catch block).
grpc::Status CurrentExceptionToStatus();

// Runs `body` and returns its status; any exception becomes the matching status code:
// InvalidArgument -> INVALID_ARGUMENT, NotFound -> NOT_FOUND, AlreadyExists -> ALREADY_EXISTS,
// FailedPrecondition -> FAILED_PRECONDITION, Unavailable and database outages -> UNAVAILABLE,
// anything else -> INTERNAL (with a generic message; the detail goes to the log only).
template <typename Fn>
grpc::Status Handle(Fn&& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (...) {
    return CurrentExceptionToStatus();
  }
}

}  // namespace storefront::rpc

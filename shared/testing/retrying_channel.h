// A plaintext channel whose service config retries one method on UNAVAILABLE (3 attempts, 10 to
// 50 ms apart), for tests that need a server to meet retried attempts as a client with a retry
// policy sends them (marked by grpc-previous-rpc-attempts). Unlike rpc::MakeChannel it retries the
// method whatever its idempotency, and has no throttling, balancing or interceptors. Header-only:
// a test using it links gRPC::grpc++ (storefront::rpc brings it).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace storefront::testing {

// `service` is the full name, e.g. storefront::payments::v1::PaymentsService::service_full_name().
inline std::shared_ptr<grpc::Channel> RetryingChannel(const std::string& address, const std::string& service,
                                                      const std::string& method) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(R"({"methodConfig": [{"name": [{"service": ")" + service + R"(", "method": ")" +
                            method + R"("}],
      "retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.01s", "maxBackoff": "0.05s",
                      "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}}]})");
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace storefront::testing

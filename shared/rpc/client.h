// gRPC client helper: every call gets a deadline and carries the request id.
//
// A call without a deadline can wait forever on a stuck upstream and pin a thread with it;
// making the deadline part of how a context is created means no call site can forget it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace storefront::rpc {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

// A ClientContext whose deadline is `timeout` from now, with `x-request-id` metadata.
std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::milliseconds timeout, std::string_view request_id);

// A typed client: the generated stub plus the deadline applied to each of its calls.
template <typename Service>
class Client {
 public:
  Client(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
      : channel_(std::move(channel)), stub_(Service::NewStub(channel_)), timeout_(timeout) {}

  typename Service::StubInterface& stub() { return *stub_; }
  std::unique_ptr<grpc::ClientContext> Context(std::string_view request_id) const {
    return NewContext(timeout_, request_id);
  }
  grpc::Channel& channel() { return *channel_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<typename Service::Stub> stub_;
  std::chrono::milliseconds timeout_;
};

// Asks the standard health service whether `service` ("" = the whole server) is SERVING.
bool CheckHealth(grpc::Channel& channel, std::chrono::milliseconds timeout, const std::string& service = "");

}  // namespace storefront::rpc

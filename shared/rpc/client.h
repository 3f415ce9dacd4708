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

namespace storefront::rpc {

// Starts an asynchronous unary call on gRPC's callback API and returns at once; `done` runs
// later on a gRPC thread with the status and the response. `start` forwards to the stub:
//   [&stub](auto* ctx, auto* req, auto* resp, auto cb) { stub.async()->GetProduct(ctx, req, resp, std::move(cb)); }
// The context (with its deadline), request and response live until `done` has run.
template <typename Response, typename Request, typename Start>
void AsyncCall(std::unique_ptr<grpc::ClientContext> context, Request request, Start&& start,
               std::function<void(const grpc::Status&, Response&)> done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    Request request;
    Response response;
    std::function<void(const grpc::Status&, Response&)> done;
  };
  auto call = std::make_shared<Call>(Call{std::move(context), std::move(request), Response{}, std::move(done)});
  start(call->context.get(), &call->request, &call->response,
        [call](grpc::Status status) { call->done(status, call->response); });
}

}  // namespace storefront::rpc

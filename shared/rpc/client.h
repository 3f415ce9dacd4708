// gRPC clients: every call has a deadline from its caller's budget, passes its upstream's guard,
// and carries the request id.
//
// A call without a deadline can wait forever on a stuck upstream and pin a thread with it, and a
// call with a fresh full timeout at every hop can outlive the request it serves by the sum of
// them. So a call's deadline is the nearest of: its own timeout, the deadline of the call being
// handled on this thread (deadline::Scope, opened by rpc::Handle), and, for the gateway's
// asynchronous calls, the client's timeout counted from when the HTTP request arrived. A call
// with no time left is not sent (DEADLINE_EXCEEDED). Before that, the upstream's guard
// (guard.h) may refuse it at once: breaker open (UNAVAILABLE) or bulkhead full
// (RESOURCE_EXHAUSTED). Retries are gRPC's own (see MakeChannel).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shared/rpc/guard.h"
#include "shared/rpc/tls.h"
#include "shared/trace/context.h"
#include "shared/types/deadline.h"

namespace storefront::rpc {

// A channel to `target` (see target.h) spreading calls over every address it resolves to
// (round_robin). With `service` (a full proto service name), the methods of that service that
// declare `option idempotency_level` (NO_SIDE_EFFECTS for reads, IDEMPOTENT for writes that carry
// an idempotency key) are retried by gRPC on UNAVAILABLE, up to 3 attempts with exponential
// backoff and full jitter inside the call's deadline, and retry throttling stops retrying while
// most calls fail, so retries cannot multiply the load on a struggling upstream. Other writes are
// never retried (gRPC still replays a call that provably never left this process).
//
// With `tls` the channel presents this process's certificate and accepts only a server whose
// certificate, signed by the CA, names `upstream` ("payments"), at whatever address the target
// resolves to; without it, plaintext (a test's own server).
struct ChannelSecurity {
  std::shared_ptr<const Tls> tls = nullptr;
  std::string upstream = {};
};
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, std::string_view service = {},
                                           const ChannelSecurity& security = {});

// The service config MakeChannel gives a channel to `service` (exposed for tests).
std::string ServiceConfigJson(std::string_view service);

// A ClientContext whose deadline is `timeout` from now, with `x-request-id` metadata. For probes
// and tests; clients use Client, which applies the budget and the guard.
std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::milliseconds timeout, std::string_view request_id);

// Which request an asynchronous call serves: its id and when it arrived (the budget of a call
// runs from then, so a second call made for the same request gets what the first left).
struct CallFor {
  std::string request_id;
  std::optional<deadline::Clock::time_point> since;
};

struct ClientOptions {
  std::string target;                       // where the upstream listens (one or more replicas)
  std::string upstream;                     // its name: "payments" (names its guard, and the
                                            // certificate it must present)
  std::shared_ptr<const Tls> tls = nullptr; // this process's identity; null: plaintext (tests)
  std::chrono::milliseconds timeout{2000};  // the longest one call may take
  Guards* guards = nullptr;                 // whose guard it passes; null: none (tests)
};

// A typed client: the generated stub, the deadline of each call and the upstream's guard.
template <typename Service>
class Client {
 public:
  explicit Client(const ClientOptions& options)
      : channel_(MakeChannel(options.target, Service::service_full_name(), {options.tls, options.upstream})),
        stub_(Service::NewStub(channel_)),
        timeout_(options.timeout),
        guard_(options.guards ? options.guards->For(options.upstream) : nullptr) {}
  // Without a guard: every call is sent (tests of one adapter against a fake server).
  Client(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
      : channel_(std::move(channel)), stub_(Service::NewStub(channel_)), timeout_(timeout) {}

  typename Service::StubInterface& stub() { return *stub_; }
  grpc::Channel& channel() { return *channel_; }
  std::shared_ptr<grpc::Channel> shared_channel() const { return channel_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  // A context with this client's deadline and no guard, for tests that call the stub directly.
  std::unique_ptr<grpc::ClientContext> Context(std::string_view request_id) const {
    return NewContext(timeout_, request_id);
  }

  // A blocking call: `invoke(context)` makes it on the stub and returns its status.
  //   client.Call(request_id, [&](grpc::ClientContext* c) { return client.stub().GetCart(c, request, &cart); });
  // A call refused by the guard, or with no budget left, returns that status without being sent.
  template <typename Invoke>
  grpc::Status Call(std::string_view request_id, Invoke&& invoke) {
    auto context = ContextFor(request_id, std::nullopt);
    if (!context) return NoTimeLeft();
    UpstreamGuard::Pass pass = Enter();
    if (!pass.allowed) return pass.refusal;
    grpc::Status status = invoke(context.get());
    if (guard_) guard_->Finish(pass, status);
    return status;
  }

  // The same for a plain unary call: client.Call(request_id, &Stub::GetCart, request, &cart).
  using Stub = typename Service::StubInterface;
  template <typename Request, typename Response>
  grpc::Status Call(std::string_view request_id,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    return Call(request_id,
                [&](grpc::ClientContext* context) { return (stub_.get()->*method)(context, request, response); });
  }

  // An asynchronous unary call on gRPC's callback API; returns at once. `done` runs once with
  // the status and the response: on a gRPC thread, or right here when the call was refused or
  // had no time left. `start` forwards to the stub (see STOREFRONT_CALL in the gateway):
  //   [&stub](auto* ctx, auto* req, auto* resp, auto cb) { stub.async()->GetProduct(ctx, req, resp, std::move(cb)); }
  template <typename Response, typename Request, typename Start>
  void Async(const CallFor& call, Request request, Start&& start,
             std::function<void(const grpc::Status&, Response&)> done) {
    auto context = ContextFor(call.request_id, call.since);
    Response none;
    if (!context) return done(NoTimeLeft(), none);
    UpstreamGuard::Pass pass = Enter();
    if (!pass.allowed) return done(pass.refusal, none);
    struct State {
      std::unique_ptr<grpc::ClientContext> context;
      Request request;
      Response response;
      std::function<void(const grpc::Status&, Response&)> done;
      std::shared_ptr<UpstreamGuard> guard;
      UpstreamGuard::Pass pass;
      std::optional<trace::SpanContext> traced;  // the caller's, current again while `done` runs
    };
    auto state = std::make_shared<State>(State{std::move(context), std::move(request), Response{}, std::move(done),
                                               guard_, pass, CurrentTrace()});
    start(state->context.get(), &state->request, &state->response, [state](grpc::Status status) {
      if (state->guard) state->guard->Finish(state->pass, status);
      // On a gRPC thread: what `done` logs and calls belongs to the request that made the call.
      trace::ContextScope traced(state->traced);
      state->done(status, state->response);
    });
  }

 private:
  UpstreamGuard::Pass Enter() {
    if (guard_) return guard_->Enter();
    return {.allowed = true, .admission = {}, .refusal = grpc::Status::OK};
  }

  // A context whose deadline is the nearest of the budgets (see the top of this file), or null
  // when none is left.
  std::unique_ptr<grpc::ClientContext> ContextFor(std::string_view request_id,
                                                  std::optional<deadline::Clock::time_point> since) const {
    const auto now = deadline::Clock::now();
    auto at = (since ? *since : now) + timeout_;
    if (auto inherited = deadline::Current(); inherited && *inherited < at) at = *inherited;
    if (at <= now || deadline::CallerGone()) return nullptr;
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(at);
    if (!request_id.empty()) context->AddMetadata("x-request-id", std::string(request_id));
    return context;
  }

  static std::optional<trace::SpanContext> CurrentTrace() {
    const trace::SpanContext* current = trace::Current();
    return current != nullptr ? std::optional(*current) : std::nullopt;
  }

  static grpc::Status NoTimeLeft() {
    return {grpc::StatusCode::DEADLINE_EXCEEDED, "not sent: the request's time budget is spent"};
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<typename Service::Stub> stub_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<UpstreamGuard> guard_;  // null: unguarded
};

// Starts an asynchronous unary call with `context` as it is, past no guard: for health probes,
// which must see an upstream as it is even while its breaker is open. Otherwise as Client::Async.
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

// Asks the standard health service whether `service` ("" = the whole server) is SERVING.
bool CheckHealth(grpc::Channel& channel, std::chrono::milliseconds timeout, const std::string& service = "");

}  // namespace storefront::rpc

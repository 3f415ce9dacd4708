#include "shared/rpc/client.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "grpc/health/v1/health.grpc.pb.h"
#include "shared/rpc/interceptors.h"
#include "shared/rpc/target.h"

namespace storefront::rpc {

std::string ServiceConfigJson(std::string_view service) {
  nlohmann::json config = {
      {"loadBalancingConfig", nlohmann::json::array({{{"round_robin", nlohmann::json::object()}}})}};
  const auto* descriptor =
      service.empty() ? nullptr : google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(service));
  nlohmann::json safe = nlohmann::json::array();
  for (int i = 0; descriptor != nullptr && i < descriptor->method_count(); ++i) {
    const auto* method = descriptor->method(i);
    if (method->options().idempotency_level() == google::protobuf::MethodOptions::IDEMPOTENCY_UNKNOWN) continue;
    safe.push_back({{"service", descriptor->full_name()}, {"method", method->name()}});
  }
  if (!safe.empty()) {
    config["methodConfig"] = nlohmann::json::array({{{"name", safe},
                               {"retryPolicy",
                                {{"maxAttempts", 3},
                                 {"initialBackoff", "0.05s"},
                                 {"maxBackoff", "0.5s"},
                                 {"backoffMultiplier", 2},
                                 {"retryableStatusCodes", nlohmann::json::array({"UNAVAILABLE"})}}}}});
    // Each failed call takes a token, each success gives back a tenth; below half the tokens
    // (5 failures more than a tenth of the successes) no call is retried until calls succeed.
    config["retryThrottling"] = {{"maxTokens", 10}, {"tokenRatio", 0.1}};
  }
  return config.dump();
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, std::string_view service,
                                           const ChannelSecurity& security) {
  grpc::ChannelArguments args;
  // Fail fast and reconnect quickly after an upstream restarts.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  // Balancing and retries come from the config below, never from DNS TXT records.
  args.SetServiceConfigJSON(ServiceConfigJson(service));
  args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  // The server's certificate must name the upstream, not the address (127.0.0.1, a pod's IP or a
  // list of replicas) the target happens to resolve to.
  if (security.tls) {
    if (security.upstream.empty()) throw std::invalid_argument("a TLS channel to " + address + " names no upstream");
    args.SetSslTargetNameOverride(security.upstream);
  }
  // Figures and a client span per call, its traceparent in the call's metadata (interceptors.h).
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> observers;
  observers.push_back(std::make_unique<ClientObserverFactory>());
  auto credentials = security.tls ? security.tls->ChannelCredentials() : grpc::InsecureChannelCredentials();
  auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(ChannelTarget(address), credentials, args,
                                                                         std::move(observers));
  // Start resolving the name and connecting (TLS handshake included) now, in the background: a
  // channel connects on its first call otherwise, and that call pays for both. Nothing waits here;
  // an upstream that is down is retried with the backoff above.
  channel->GetState(/*try_to_connect=*/true);
  return channel;
}

std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::milliseconds timeout, std::string_view request_id) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!request_id.empty()) context->AddMetadata("x-request-id", std::string(request_id));
  return context;
}

bool CheckHealth(grpc::Channel& channel, std::chrono::milliseconds timeout, const std::string& service) {
  // Channel is shared_ptr-owned by callers; the stub only borrows it for this call.
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::ChannelInterface>(&channel, [](grpc::ChannelInterface*) {}));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  auto context = NewContext(timeout, "");
  grpc::Status status = stub->Check(context.get(), request, &response);
  return status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

}  // namespace storefront::rpc

#include "shared/rpc/client.h"

#include "grpc/health/v1/health.grpc.pb.h"

namespace storefront::rpc {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // Fail fast and reconnect quickly after an upstream restarts.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  // Spread calls over every address the target resolves to (replicas), one call at a time.
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
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

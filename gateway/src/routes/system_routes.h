// Operational routes: liveness, readiness (upstreams answer their health checks) and the
// OpenAPI document; and the health probe readiness and the operator's health page share.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "http/handler.h"

namespace storefront::gateway::routes {

struct Upstream {
  std::string name;
  std::shared_ptr<grpc::Channel> channel;
};

using HealthStub = std::shared_ptr<grpc::health::v1::Health::Stub>;
inline HealthStub NewHealthStub(const std::shared_ptr<grpc::Channel>& channel) {
  return grpc::health::v1::Health::NewStub(channel);
}

// Asks a service's standard gRPC health check (1 s deadline) and calls done(serving, detail),
// detail "serving", "not serving", "timed out" or "unreachable". Readiness and the operator's
// health page both ask this way.
void CheckHealth(HealthStub stub, const std::string& request_id, std::function<void(bool, std::string)> done);

void AddSystemRoutes(http::GatewayRouter& router, std::vector<Upstream> upstreams);

// The OpenAPI 3 document served at /api/v1/openapi.json (embedded at build time).
std::string_view OpenApiDocument();

}  // namespace storefront::gateway::routes

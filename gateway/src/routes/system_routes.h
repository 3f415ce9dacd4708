// Operational routes: liveness, readiness (upstreams answer their health checks) and the
// OpenAPI document.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "http/handler.h"

namespace storefront::gateway::routes {

struct Upstream {
  std::string name;
  std::shared_ptr<grpc::Channel> channel;
};

void AddSystemRoutes(http::GatewayRouter& router, std::vector<Upstream> upstreams);

// The OpenAPI 3 document served at /api/v1/openapi.json (embedded at build time).
std::string_view OpenApiDocument();

}  // namespace storefront::gateway::routes

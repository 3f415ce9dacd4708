// The OpenAPI document and the router must describe the same API: every served route is
// documented, and every documented operation is served.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "routes/admin_routes.h"
#include "routes/auth_routes.h"
#include "routes/catalog_routes.h"
#include "routes/shop_routes.h"
#include "routes/system_routes.h"

namespace storefront::gateway {
namespace {

std::string ToOpenApiPath(const std::string& pattern) {
  std::string out;
  std::stringstream segments(pattern);
  std::string segment;
  while (std::getline(segments, segment, '/')) {
    if (segment.empty()) continue;
    out += "/" + (segment[0] == ':' ? "{" + segment.substr(1) + "}" : segment);
  }
  return out;
}

std::string Lower(Pistache::Http::Method method) {
  std::ostringstream out;
  out << method;
  std::string text = out.str();
  for (auto& c : text) c = static_cast<char>(std::tolower(c));
  return text;
}

TEST(OpenApiTest, DocumentsExactlyTheServedRoutes) {
  auto document = nlohmann::json::parse(routes::OpenApiDocument());
  EXPECT_EQ(document["openapi"].get<std::string>().substr(0, 2), "3.");

  http::GatewayRouter router;
  routes::AddSystemRoutes(router, {});
  routes::AddCatalogRoutes(router, {});
  routes::AddAuthRoutes(router, {});
  routes::AddShopRoutes(router, nullptr, {});
  routes::AddAdminRoutes(router, nullptr, {});

  std::set<std::string> served;
  for (const auto& route : router.routes()) served.insert(Lower(route.method) + " " + ToOpenApiPath(route.pattern));
  std::set<std::string> documented;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      documented.insert(method + " " + path);
      EXPECT_TRUE(operation.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  EXPECT_EQ(served, documented);
}

TEST(OpenApiTest, ProtectedOperationsNameTheBearerScheme) {
  auto document = nlohmann::json::parse(routes::OpenApiDocument());
  EXPECT_EQ(document["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
  auto me = document["paths"]["/api/v1/auth/me"]["get"];
  EXPECT_EQ(me["security"], nlohmann::json::parse(R"([{"bearerAuth": []}])"));
  EXPECT_TRUE(me["responses"].contains("401"));
}

TEST(OpenApiTest, ErrorResponsesUseProblemJson) {
  auto document = nlohmann::json::parse(routes::OpenApiDocument());
  int errors = 0;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      for (const auto& [status, declared] : operation["responses"].items()) {
        if (status.front() != '4' && status.front() != '5') continue;
        auto response = declared;
        if (response.contains("$ref")) {  // "#/components/responses/<name>"
          const std::string ref = response["$ref"];
          response = document["components"]["responses"][ref.substr(ref.rfind('/') + 1)];
        }
        ++errors;
        EXPECT_TRUE(response["content"].contains("application/problem+json")) << method << " " << path << " " << status;
      }
    }
  }
  EXPECT_GT(errors, 100);
}

TEST(OpenApiTest, EveryOperatorRouteNamesTheBearerSchemeAnd401And403) {
  auto document = nlohmann::json::parse(routes::OpenApiDocument());
  int operator_routes = 0;
  for (const auto& [path, operations] : document["paths"].items()) {
    if (path.rfind("/api/v1/admin/", 0) != 0) continue;
    for (const auto& [method, operation] : operations.items()) {
      ++operator_routes;
      EXPECT_EQ(operation["security"], nlohmann::json::parse(R"([{"bearerAuth": []}])")) << method << " " << path;
      EXPECT_TRUE(operation["responses"].contains("401")) << method << " " << path;
      EXPECT_TRUE(operation["responses"].contains("403")) << method << " " << path;
      EXPECT_EQ(operation["tags"], nlohmann::json::parse(R"(["operator"])")) << method << " " << path;
    }
  }
  EXPECT_EQ(operator_routes, 27);
}

}  // namespace
}  // namespace storefront::gateway

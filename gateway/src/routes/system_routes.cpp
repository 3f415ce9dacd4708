#include "routes/system_routes.h"

#include <atomic>
#include <mutex>

#include "shared/rpc/client.h"

namespace storefront::gateway::routes {
namespace {

using Pistache::Http::Code;
using Pistache::Http::Method;
namespace health = grpc::health::v1;

constexpr auto kProbeTimeout = std::chrono::milliseconds(1000);

// Collects one health answer per upstream and answers once all are in.
struct ReadinessRound {
  std::shared_ptr<http::Responder> responder;
  std::mutex mutex;
  nlohmann::json checks = nlohmann::json::object();
  bool ready = true;
  std::size_t pending = 0;

  void Record(const std::string& name, bool serving, const std::string& detail) {
    std::lock_guard lock(mutex);
    checks[name] = serving ? "ok" : detail;
    ready = ready && serving;
    if (--pending > 0) return;
    if (ready) {
      responder->Json(Code::Ok, {{"status", "ready"}, {"checks", checks}});
    } else {
      http::Problem problem{503, "not-ready", "Not ready", "an upstream service is not serving", {}};
      for (const auto& [upstream, state] : checks.items()) {
        if (state != "ok") problem.errors.push_back({upstream, state.get<std::string>()});
      }
      responder->SendProblem(problem);
    }
  }
};

}  // namespace

void CheckHealth(HealthStub stub, const std::string& request_id, std::function<void(bool, std::string)> done) {
  rpc::AsyncCall<health::HealthCheckResponse>(
      rpc::NewContext(kProbeTimeout, request_id), health::HealthCheckRequest{},
      [stub](auto* context, auto* request, auto* response, auto call_done) {
        stub->async()->Check(context, request, response, std::move(call_done));
      },
      [done = std::move(done)](const grpc::Status& status, health::HealthCheckResponse& response) {
        if (status.ok() && response.status() == health::HealthCheckResponse::SERVING) return done(true, "serving");
        done(false, status.ok()                                                  ? "not serving"
                    : status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ? "timed out"
                                                                                 : "unreachable");
      });
}

void AddSystemRoutes(http::GatewayRouter& router, std::vector<Upstream> upstreams) {
  router.Add(Method::Get, "/livez", [](const http::Request&, std::shared_ptr<http::Responder> out) {
    out->Json(Code::Ok, {{"status", "ok"}});
  });

  auto stubs = std::make_shared<std::vector<std::pair<std::string, HealthStub>>>();
  for (auto& upstream : upstreams) stubs->emplace_back(upstream.name, NewHealthStub(upstream.channel));

  router.Add(Method::Get, "/readyz", [stubs](const http::Request& request, std::shared_ptr<http::Responder> out) {
    if (stubs->empty()) return out->Json(Code::Ok, {{"status", "ready"}, {"checks", nlohmann::json::object()}});
    auto round = std::make_shared<ReadinessRound>();
    round->responder = out;
    round->pending = stubs->size();
    for (const auto& [name, stub] : *stubs) {
      CheckHealth(stub, request.request_id,
                  [round, name = name](bool serving, std::string detail) { round->Record(name, serving, detail); });
    }
  });

  router.Add(Method::Get, "/api/v1/openapi.json", [](const http::Request&, std::shared_ptr<http::Responder> out) {
    out->JsonText(Code::Ok, std::string(OpenApiDocument()));
  });
}

}  // namespace storefront::gateway::routes

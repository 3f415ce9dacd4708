#include "routes/admin/resilience.h"

#include <map>
#include <utility>

#include "routes/admin/faults.h"

namespace storefront::gateway::routes::admin {
namespace {

namespace opspb = storefront::ops::v1;
using nlohmann::json;

// Retry-After's whole seconds, rounded up: an open breaker refuses until then.
std::int64_t Seconds(std::int64_t milliseconds) { return (milliseconds + 999) / 1000; }

// The gateway's rate-limit policies and what each refused since the gateway started.
json RateLimitsJson(const std::shared_ptr<http::RateLimiter>& limiter) {
  json policies = json::array();
  json rejected = json::object();
  if (limiter) {
    for (const auto& [policy, refused] : limiter->Refusals()) {
      policies.push_back({{"name", policy->name}, {"limit", policy->quota}, {"window_seconds", policy->window.count()}});
      rejected[policy->name] = refused;
    }
  }
  return {{"policies", std::move(policies)}, {"rejected", std::move(rejected)}};
}

void Resilience(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  json upstreams = json::array();
  for (const auto& guard : rpc::SnapshotGuards()) upstreams.push_back(LocalGuardJson(guard));
  bool queued = AskEveryReplica<opspb::GetResilienceResponse>(
      c.replicas, *c.workers, c.replicas->services(), request.request_id, opspb::GetResilienceRequest{},
      STOREFRONT_OPS_CALL(GetResilience),
      [out, upstreams = std::move(upstreams), rate_limits = RateLimitsJson(c.rate_limits)](std::vector<ReplicaAnswer<opspb::GetResilienceResponse>> answers) mutable {
        std::vector<std::pair<std::string, std::string>> retried;  // (service, method) in order of appearance
        std::map<std::pair<std::string, std::string>, std::int64_t> retries;
        std::vector<ReplicaFaults> faults;
        for (const auto& answer : answers) {
          if (!answer.status.ok()) {
            upstreams.push_back(
                {{"caller", answer.service}, {"replica", answer.replica}, {"error", DescribeFailure(answer.status)}});
            continue;
          }
          for (const auto& guard : answer.response.guards()) {
            upstreams.push_back(RemoteGuardJson(answer.service, answer.replica, guard));
          }
          for (const auto& method : answer.response.retries()) {
            auto key = std::make_pair(answer.service, method.method());
            if (!retries.count(key)) retried.push_back(key);
            retries[key] += method.retried_attempts();
          }
          faults.push_back({answer.service, answer.replica, &answer.response.faults()});
        }
        json retry_list = json::array();
        for (const auto& key : retried) {
          retry_list.push_back({{"service", key.first}, {"method", key.second}, {"retried_attempts", retries[key]}});
        }
        out->Json(Code::Ok, {{"upstreams", std::move(upstreams)},
                             {"retries", std::move(retry_list)},
                             {"rate_limits", std::move(rate_limits)},
                             {"faults", FaultItemsJson(faults)}});
      });
  if (!queued) {
    out->AddHeader("Retry-After", "1");
    out->SendProblem({503, "overloaded", "Service unavailable", kConsoleBusy, {}});
  }
}

}  // namespace

json LocalGuardJson(const rpc::GuardSnapshot& guard) {
  return {{"caller", "gateway"},
          {"upstream", guard.upstream},
          {"breaker",
           {{"state", std::string(rpc::StateName(guard.breaker.state))},
            {"calls", guard.breaker.calls},
            {"failures", guard.breaker.failures},
            {"rejected", guard.breaker.rejected},
            {"opened", guard.breaker.opened},
            {"retry_after_seconds", Seconds(guard.breaker.retry_after.count())}}},
          {"bulkhead", {{"in_flight", guard.in_flight}, {"limit", guard.limit}, {"rejected", guard.bulkhead_rejected}}}};
}

json RemoteGuardJson(const std::string& caller, const std::string& replica, const opspb::UpstreamGuard& guard) {
  const auto& breaker = guard.breaker();
  const auto& bulkhead = guard.bulkhead();
  return {{"caller", caller},
          {"replica", replica},
          {"upstream", guard.upstream()},
          {"breaker",
           {{"state", EnumName(opspb::BreakerState_Name(breaker.state()), "BREAKER_STATE_")},
            {"calls", breaker.calls()},
            {"failures", breaker.failures()},
            {"rejected", breaker.rejected()},
            {"opened", breaker.opened()},
            {"retry_after_seconds", Seconds(breaker.retry_after_ms())}}},
          {"bulkhead", {{"in_flight", bulkhead.in_flight()}, {"limit", bulkhead.limit()}, {"rejected", bulkhead.rejected()}}}};
}

void AddResilienceRoutes(AdminRoutes& routes) { routes.Add(Method::Get, "/api/v1/admin/resilience", Resilience); }

}  // namespace storefront::gateway::routes::admin

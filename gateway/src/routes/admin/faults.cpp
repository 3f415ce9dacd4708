#include "routes/admin/faults.h"

#include <algorithm>
#include <set>

#include "http/json_fields.h"
#include "shared/log/log.h"
#include "shared/rpc/faults.h"

namespace storefront::gateway::routes::admin {
namespace {

namespace opspb = storefront::ops::v1;
using nlohmann::json;

// The service the path names, or nullptr after answering 404.
const ServiceAddress* PathService(const AdminClients& c, const http::Request& request, http::Responder& out) {
  const std::string& name = request.params.at("service");
  if (const auto* service = c.replicas->Find(name)) return service;
  std::string names;
  for (const auto& service : c.replicas->services()) names += (names.empty() ? "" : ", ") + service.name;
  out.SendProblem(http::NotFound("no service '" + name.substr(0, 64) + "'; the services are " + names));
  return nullptr;
}

void SendBusy(http::Responder& out) {
  out.AddHeader("Retry-After", "1");
  out.SendProblem({503, "overloaded", "Service unavailable", kConsoleBusy, {}});
}

// What became of one change sent to every replica.
template <typename Response>
struct Outcome {
  std::vector<const ReplicaAnswer<Response>*> applied;
  json unanswered = json::array();
  const ReplicaAnswer<Response>* refused = nullptr;  // the first INVALID_ARGUMENT: the request is wrong

  explicit Outcome(const std::vector<ReplicaAnswer<Response>>& answers) {
    for (const auto& answer : answers) {
      if (answer.status.ok()) applied.push_back(&answer);
      else if (answer.status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
        unanswered.push_back(UnansweredJson(answer.service, answer.replica, answer.status));
      } else if (refused == nullptr) {
        refused = &answer;
      }
    }
  }
  // The answer when nothing changed anywhere: the refusal, or 503 naming who did not answer.
  std::optional<http::Problem> Failure(const std::string& what) const {
    if (refused != nullptr) return http::FromStatus(refused->status, refused->service);
    if (!applied.empty()) return std::nullopt;
    http::Problem problem{503, "upstream-unavailable", "Service unavailable",
                          "no replica answered, so " + what + " changed nowhere; try again", {}};
    problem.extensions["unanswered"] = unanswered;
    return problem;
  }
};

void ListFaults(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  bool queued = AskEveryReplica<opspb::ListFaultsResponse>(
      c.replicas, *c.workers, c.replicas->services(), request.request_id, opspb::ListFaultsRequest{},
      STOREFRONT_OPS_CALL(ListFaults), [out](std::vector<ReplicaAnswer<opspb::ListFaultsResponse>> answers) {
        std::vector<ReplicaFaults> listed;
        json unanswered = json::array();
        for (const auto& answer : answers) {
          if (answer.status.ok()) listed.push_back({answer.service, answer.replica, &answer.response.faults()});
          else unanswered.push_back(UnansweredJson(answer.service, answer.replica, answer.status));
        }
        out->Json(Code::Ok, {{"items", FaultItemsJson(listed)}, {"unanswered", std::move(unanswered)}});
      });
  if (!queued) SendBusy(*out);
}

void SetFault(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const auto* service = PathService(c, request, *out);
  if (service == nullptr) return;
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  static const std::set<std::string> kFields = {"latency_ms", "error_percent", "abort_percent"};
  for (const auto& name : body.Names()) {
    if (!kFields.count(name)) errors.push_back({name.substr(0, 64), "is not a fault setting; send any of latency_ms, error_percent, abort_percent"});
  }
  opspb::SetFaultRequest upstream;
  upstream.set_method(request.params.at("method"));
  // Read with the fault lab's own bounds (each service checks them again, and the method).
  if (body.Has("latency_ms")) {
    upstream.set_latency_ms(static_cast<int>(body.Integer("latency_ms", 0, rpc::faults::kMaxLatencyMs)));
  }
  if (body.Has("error_percent")) upstream.set_error_percent(static_cast<int>(body.Integer("error_percent", 0, 100)));
  if (body.Has("abort_percent")) upstream.set_abort_percent(static_cast<int>(body.Integer("abort_percent", 0, 100)));
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  upstream.set_set_by(who.email);

  // "upstream": the log line's own "service" is the process writing it.
  json change = {{"upstream", service->name},
                 {"method", upstream.method()},
                 {"latency_ms", upstream.latency_ms()},
                 {"error_percent", upstream.error_percent()},
                 {"abort_percent", upstream.abort_percent()},
                 {"operator", who.email},
                 {"request_id", request.request_id}};
  bool queued = AskEveryReplica<opspb::Fault>(
      c.replicas, *c.workers, {*service}, request.request_id, std::move(upstream), STOREFRONT_OPS_CALL(SetFault),
      [out, change, service = service->name](std::vector<ReplicaAnswer<opspb::Fault>> answers) mutable {
        Outcome<opspb::Fault> outcome(answers);
        if (auto failure = outcome.Failure("the fault")) return out->SendProblem(*failure);
        json item = FaultJson(service, outcome.applied.front()->response);
        item["replicas"] = json::array();
        for (const auto* answer : outcome.applied) item["replicas"].push_back(answer->replica);
        item["unanswered"] = outcome.unanswered;
        change["replicas"] = item["replicas"];
        change["unanswered"] = outcome.unanswered;
        if (outcome.unanswered.empty()) log::Warn("fault lab: fault switched on", change);
        else log::Warn("fault lab: fault switched on, but not on every replica", change);
        out->Json(Code::Ok, item);
      });
  if (!queued) SendBusy(*out);
}

// Clears `method`'s fault ("" = every fault) on every replica of `services`.
void Clear(AdminClients& c, std::vector<ServiceAddress> services, std::string method, const http::Request& request,
           const auth::Principal& who, Out out) {
  opspb::ClearFaultsRequest upstream;
  upstream.set_method(method);
  upstream.set_cleared_by(who.email);
  json change = {{"upstreams", json::array()},
                 {"method", method.empty() ? "(all)" : method},
                 {"operator", who.email},
                 {"request_id", request.request_id}};
  for (const auto& service : services) change["upstreams"].push_back(service.name);
  bool queued = AskEveryReplica<opspb::ClearFaultsResponse>(
      c.replicas, *c.workers, std::move(services), request.request_id, std::move(upstream),
      STOREFRONT_OPS_CALL(ClearFaults), [out, change](std::vector<ReplicaAnswer<opspb::ClearFaultsResponse>> answers) mutable {
        Outcome<opspb::ClearFaultsResponse> outcome(answers);
        if (auto failure = outcome.Failure("no fault")) return out->SendProblem(*failure);
        int cleared = 0;
        json cleared_on = json::array();
        for (const auto* answer : outcome.applied) {
          cleared += answer->response.cleared();
          cleared_on.push_back({{"service", answer->service}, {"replica", answer->replica}});
        }
        change["cleared"] = cleared;
        change["unanswered"] = outcome.unanswered;
        if (outcome.unanswered.empty()) {
          log::Info("fault lab: faults switched off", change);
          return out->JsonText(Code::No_Content, "");
        }
        log::Warn("fault lab: faults switched off, but not on every replica", change);
        out->Json(Code::Ok, {{"cleared", cleared}, {"cleared_on", cleared_on}, {"unanswered", outcome.unanswered}});
      });
  if (!queued) SendBusy(*out);
}

void ClearFault(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  const auto* service = PathService(c, request, *out);
  if (service == nullptr) return;
  Clear(c, {*service}, request.params.at("method"), request, who, std::move(out));
}

void ClearEveryFault(AdminClients& c, const http::Request& request, const auth::Principal& who, Out out) {
  Clear(c, c.replicas->services(), "", request, who, std::move(out));
}

}  // namespace

json FaultJson(const std::string& service, const opspb::Fault& fault) {
  return {{"service", service},
          {"method", fault.method()},
          {"latency_ms", fault.latency_ms()},
          {"error_percent", fault.error_percent()},
          {"abort_percent", fault.abort_percent()},
          {"set_by", fault.set_by()},
          {"set_at", TimeJson(fault.set_at(), fault.has_set_at())}};
}

json FaultItemsJson(const std::vector<ReplicaFaults>& replicas) {
  json items = json::array();
  for (const auto& replica : replicas) {
    for (const auto& fault : *replica.faults) {
      auto same = std::find_if(items.begin(), items.end(), [&](const json& item) {
        return item["service"] == replica.service && item["method"] == fault.method() &&
               item["latency_ms"] == fault.latency_ms() && item["error_percent"] == fault.error_percent() &&
               item["abort_percent"] == fault.abort_percent();
      });
      if (same != items.end()) {
        (*same)["replicas"].push_back(replica.replica);
        continue;
      }
      json item = FaultJson(replica.service, fault);
      item["replicas"] = json::array({replica.replica});
      items.push_back(std::move(item));
    }
  }
  return items;
}

json UnansweredJson(const std::string& service, const std::string& replica, const grpc::Status& status) {
  return {{"service", service}, {"replica", replica}, {"error", DescribeFailure(status)}};
}

void AddFaultRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/faults", ListFaults);
  routes.Add(Method::Delete, "/api/v1/admin/faults", ClearEveryFault);
  routes.Add(Method::Put, "/api/v1/admin/faults/:service/:method", SetFault);
  routes.Add(Method::Delete, "/api/v1/admin/faults/:service/:method", ClearFault);
}

}  // namespace storefront::gateway::routes::admin

// The console dashboard's live figures, GET /api/v1/admin/observability (operators only), read
// from Prometheus (PROMETHEUS_URL) with a fixed set of instant queries, run at once within 1.5 s:
//   services      per Prometheus job (gateway first, then the services in the order the README
//                 lists them): its instances up, and over the last minute its requests per second,
//                 their error ratio and their p99 latency in seconds. The gateway's come from its
//                 HTTP figures (a 5xx is an error), each service's from its gRPC server figures
//                 (an error is a code that says the server failed: UNKNOWN, DEADLINE_EXCEEDED,
//                 UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS). Both are the store's recording
//                 rules' expressions (infra/prometheus/rules), so the dashboard shows the figure
//                 the alerts fire on, whether or not the Prometheus asked has those rules loaded.
//   outbox        per job: rows not yet published and the age of the oldest
//   consumer_lag  per job and topic: messages on the broker the consumer has not read yet
//   dead_letters  per job and topic: events dead-lettered since the processes started, and in
//                 the last hour
//   sagas         checkout's sagas completed and failed per second
// A figure Prometheus has no series for, or gives as NaN, is null, never a made-up 0; an error
// ratio over no requests is null too.
// 503 observability-unavailable (with "prometheus_url", null when unset) when PROMETHEUS_URL is
// unset, and when Prometheus cannot be reached, does not answer in time, fails a query or answers
// something its API does not: the detail says which.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "observability/prometheus_client.h"
#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddObservabilityRoutes(AdminRoutes& routes);

// The dashboard's questions, in the order DashboardQueries() holds their PromQL and
// DashboardJson reads the answers.
enum DashboardQuery : std::size_t {
  kInstancesUp,
  kInstances,
  kHttpRate,
  kHttpErrors,
  kHttpP99,
  kGrpcRate,
  kGrpcErrors,
  kGrpcP99,
  kOutboxRows,
  kOutboxAge,
  kConsumerLag,
  kDeadLetters,
  kDeadLettersLastHour,
  kSagas,
  kDashboardQueryCount,
};

const std::vector<std::string>& DashboardQueries();

// The grpc_code values counted as a service's errors, as the alerting rules count them. Not
// RESOURCE_EXHAUSTED: that is back-pressure working (a full bulkhead), counted apart by
// rpc_upstream_refusals_total; not the refusals of a bad request (INVALID_ARGUMENT, NOT_FOUND, ...).
const std::vector<std::string>& ServerFaultCodes();

// services, outbox, consumer_lag, dead_letters and sagas from the answers to DashboardQueries()
// (one vector each, in that order). Series without the labels a figure is grouped by are skipped.
nlohmann::json DashboardJson(const std::vector<observability::Vector>& answers);

}  // namespace storefront::gateway::routes::admin

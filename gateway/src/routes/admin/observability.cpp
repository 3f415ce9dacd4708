#include "routes/admin/observability.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "shared/log/log.h"
#include "shared/types/proto.h"

namespace storefront::gateway::routes::admin {
namespace {

using nlohmann::json;
using observability::Sample;
using observability::Vector;

// Rates are over the last minute: the dashboard refreshes every 5 s to show the store now, and a
// minute still holds a dozen scrapes at the local stack's 5 s interval (four at Prometheus' usual
// 15 s; rate() needs two, four ride out a missed scrape). It is also the recording rules' window,
// so the dashboard and the alerts read the same figure.
#define STOREFRONT_RATE_WINDOW "[1m]"

// The processes in the order the dashboard lists them; any other job follows, by name.
const std::vector<std::string>& KnownJobs() {
  static const std::vector<std::string> jobs = {"gateway",  "catalog",   "cart",    "checkout",
                                                "payments", "inventory", "shipping"};
  return jobs;
}

bool JobBefore(const std::string& a, const std::string& b) {
  const auto& known = KnownJobs();
  auto rank = [&known](const std::string& job) {
    return static_cast<std::size_t>(std::find(known.begin(), known.end(), job) - known.begin());
  };
  const auto ra = rank(a), rb = rank(b);
  return ra != rb ? ra < rb : a < b;
}

std::string CodeRegex() {
  std::string regex;
  for (const auto& name : ServerFaultCodes()) regex += (regex.empty() ? "" : "|") + name;
  return regex;
}

// The value of `label` in `sample`, or nullopt when it has none (or an empty one).
std::optional<std::string> Label(const Sample& sample, const char* label) {
  auto it = sample.labels.find(label);
  if (it == sample.labels.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

using Key = std::pair<std::string, std::string>;  // (job, topic); topic "" for per-job figures

// One answer as a map from its (job[, topic]) to its value; series missing a label are skipped.
std::map<Key, std::optional<double>> ByKey(const Vector& vector, bool with_topic) {
  std::map<Key, std::optional<double>> values;
  for (const auto& sample : vector) {
    auto job = Label(sample, "job");
    auto topic = with_topic ? Label(sample, "topic") : std::optional<std::string>("");
    if (!job || !topic) continue;
    values[{*job, *topic}] = sample.value;
  }
  return values;
}

json Number(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

// A count (rows, messages, events): Prometheus keeps every value as a float, and increase() over a
// window extrapolates, so the nearest whole number is what the operator is told.
json Count(const std::optional<double>& value) {
  if (!value || std::fabs(*value) > 9.0e15) return value ? json(*value) : json(nullptr);
  return json(static_cast<std::int64_t>(std::llround(*value)));
}

std::optional<double> Find(const std::map<Key, std::optional<double>>& values, const Key& key) {
  auto it = values.find(key);
  return it == values.end() ? std::nullopt : it->second;
}

// Every key of the given maps, ordered by job (JobBefore) and then topic.
std::vector<Key> Keys(std::initializer_list<const std::map<Key, std::optional<double>>*> maps) {
  std::vector<Key> keys;
  for (const auto* map : maps) {
    for (const auto& [key, value] : *map) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.first != b.first ? JobBefore(a.first, b.first) : a.second < b.second;
  });
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// Errors per request: null without requests (no ratio of nothing). A job with requests and no
// error series has had no error: its counters only get a series for a code once one is counted.
json ErrorRatio(std::optional<double> rate, bool has_rate, std::optional<double> errors, bool has_errors) {
  if (!has_rate || !rate || *rate <= 0) return nullptr;
  if (!has_errors) return 0.0;
  if (!errors) return nullptr;
  return std::clamp(*errors / *rate, 0.0, 1.0);
}

json ServicesJson(const std::vector<Vector>& answers) {
  const auto up = ByKey(answers[kInstancesUp], false);
  const auto instances = ByKey(answers[kInstances], false);
  const auto http_rate = ByKey(answers[kHttpRate], false);
  const auto http_errors = ByKey(answers[kHttpErrors], false);
  const auto http_p99 = ByKey(answers[kHttpP99], false);
  const auto grpc_rate = ByKey(answers[kGrpcRate], false);
  const auto grpc_errors = ByKey(answers[kGrpcErrors], false);
  const auto grpc_p99 = ByKey(answers[kGrpcP99], false);
  json services = json::array();
  for (const auto& key : Keys({&up, &instances, &http_rate, &grpc_rate})) {
    // A job's requests are its HTTP ones when it serves HTTP (the gateway), else its RPCs.
    const bool http = http_rate.count(key) > 0;
    const auto& rate = http ? http_rate : grpc_rate;
    const auto& errors = http ? http_errors : grpc_errors;
    const auto& p99 = http ? http_p99 : grpc_p99;
    services.push_back({{"job", key.first},
                        {"instances_up", Count(Find(up, key))},
                        {"instances", Count(Find(instances, key))},
                        {"request_rate", Number(Find(rate, key))},
                        {"error_ratio", ErrorRatio(Find(rate, key), rate.count(key) > 0, Find(errors, key),
                                                   errors.count(key) > 0)},
                        {"p99_seconds", Number(Find(p99, key))}});
  }
  return services;
}

json OutboxJson(const std::vector<Vector>& answers) {
  const auto rows = ByKey(answers[kOutboxRows], false);
  const auto age = ByKey(answers[kOutboxAge], false);
  json outbox = json::array();
  for (const auto& key : Keys({&rows, &age})) {
    outbox.push_back({{"job", key.first},
                      {"unpublished_rows", Count(Find(rows, key))},
                      {"oldest_unpublished_age_seconds", Number(Find(age, key))}});
  }
  return outbox;
}

json ConsumerLagJson(const std::vector<Vector>& answers) {
  const auto lag = ByKey(answers[kConsumerLag], true);
  json list = json::array();
  for (const auto& key : Keys({&lag})) {
    list.push_back({{"job", key.first}, {"topic", key.second}, {"lag", Count(Find(lag, key))}});
  }
  return list;
}

json DeadLettersJson(const std::vector<Vector>& answers) {
  const auto total = ByKey(answers[kDeadLetters], true);
  const auto last_hour = ByKey(answers[kDeadLettersLastHour], true);
  json list = json::array();
  for (const auto& key : Keys({&total, &last_hour})) {
    list.push_back({{"job", key.first},
                    {"topic", key.second},
                    {"total", Count(Find(total, key))},
                    {"last_hour", Count(Find(last_hour, key))}});
  }
  return list;
}

// Checkout counts each outcome once it happens: with one outcome's series present, the other's
// absence is a rate of 0; with neither, Prometheus knows nothing of checkout's sagas (null).
json SagasJson(const Vector& sagas) {
  std::map<std::string, std::optional<double>> rates;
  for (const auto& sample : sagas) {
    if (auto outcome = Label(sample, "outcome")) rates[*outcome] = sample.value;
  }
  auto rate = [&rates](const char* outcome) -> json {
    if (rates.empty()) return nullptr;
    auto it = rates.find(outcome);
    return it == rates.end() ? json(0.0) : Number(it->second);
  };
  return {{"completed_rate", rate("completed")}, {"failed_rate", rate("failed")}};
}

http::Problem Unavailable(std::string detail, const std::string& prometheus_url) {
  http::Problem problem{503, "observability-unavailable", "Observability unavailable", std::move(detail), {}};
  problem.extensions["prometheus_url"] = prometheus_url.empty() ? json(nullptr) : json(prometheus_url);
  return problem;
}

std::string Rfc3339(types::Timestamp at) {
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(at);  // whole seconds read best
  return google::protobuf::util::TimeUtil::ToString(types::ToProto(seconds));
}

void Observability(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  if (!c.prometheus) {
    return out->SendProblem(
        Unavailable("Prometheus is not configured: set PROMETHEUS_URL on the gateway to show the store's figures", ""));
  }
  http::RunBlocking(
      *c.workers, out,
      [prometheus = c.prometheus, trace_ui_url = c.trace_ui_url, clock = c.clock, request_id = request.request_id,
       out] {
        std::vector<Vector> answers;
        try {
          answers = prometheus->Query(DashboardQueries());
        } catch (const observability::PrometheusError& error) {
          log::Warn("prometheus did not give the dashboard's figures", {{"request_id", request_id},
                                                                          {"error", error.what()}});
          return out->SendProblem(Unavailable(error.what(), prometheus->base_url()));
        }
        json body = DashboardJson(answers);
        body["prometheus_url"] = prometheus->base_url();
        body["trace_ui_url"] = trace_ui_url.empty() ? json(nullptr) : json(trace_ui_url);
        body["read_at"] = Rfc3339(clock ? clock() : types::SystemNow());
        out->Json(Code::Ok, body);
      },
      kConsoleBusy);
}

}  // namespace

const std::vector<std::string>& ServerFaultCodes() {
  static const std::vector<std::string> codes = {"UNKNOWN",  "DEADLINE_EXCEEDED", "UNIMPLEMENTED",
                                                 "INTERNAL", "UNAVAILABLE",       "DATA_LOSS"};
  return codes;
}

const std::vector<std::string>& DashboardQueries() {
  static const std::vector<std::string> queries = [] {
    std::vector<std::string> q(kDashboardQueryCount);
    q[kInstancesUp] = "sum by (job) (up)";
    q[kInstances] = "count by (job) (up)";
    q[kHttpRate] = "sum by (job) (rate(http_server_requests_total" STOREFRONT_RATE_WINDOW "))";
    q[kHttpErrors] = "sum by (job) (rate(http_server_requests_total{code=~\"5..\"}" STOREFRONT_RATE_WINDOW "))";
    q[kHttpP99] = "histogram_quantile(0.99, sum by (job, le) (rate(http_server_request_duration_seconds_bucket"
                  STOREFRONT_RATE_WINDOW ")))";
    q[kGrpcRate] = "sum by (job) (rate(grpc_server_handled_total" STOREFRONT_RATE_WINDOW "))";
    q[kGrpcErrors] = "sum by (job) (rate(grpc_server_handled_total{grpc_code=~\"" + CodeRegex() +
                     "\"}" STOREFRONT_RATE_WINDOW "))";
    q[kGrpcP99] = "histogram_quantile(0.99, sum by (job, le) (rate(grpc_server_handling_seconds_bucket"
                  STOREFRONT_RATE_WINDOW ")))";
    // Replicas of a service share its outbox table and each reports all of it: the largest figure
    // is the table's, a sum would count it once per replica.
    q[kOutboxRows] = "max by (job) (outbox_unpublished_rows)";
    q[kOutboxAge] = "max by (job) (outbox_oldest_unpublished_age_seconds)";
    // Replicas of a consumer group split a topic's partitions, each reporting the lag of its own.
    q[kConsumerLag] = "sum by (job, topic) (kafka_consumer_lag_messages)";
    q[kDeadLetters] = "sum by (job, topic) (events_dead_lettered_total)";
    q[kDeadLettersLastHour] = "sum by (job, topic) (increase(events_dead_lettered_total[1h]))";
    q[kSagas] = "sum by (outcome) (rate(checkout_sagas_total" STOREFRONT_RATE_WINDOW "))";
    return q;
  }();
  return queries;
}

json DashboardJson(const std::vector<Vector>& answers) {
  if (answers.size() != kDashboardQueryCount) throw std::invalid_argument("one answer per dashboard query expected");
  return {{"services", ServicesJson(answers)},
          {"outbox", OutboxJson(answers)},
          {"consumer_lag", ConsumerLagJson(answers)},
          {"dead_letters", DeadLettersJson(answers)},
          {"sagas", SagasJson(answers[kSagas])}};
}

void AddObservabilityRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/observability", Observability);
}

}  // namespace storefront::gateway::routes::admin

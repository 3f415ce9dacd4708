// The dashboard's figures from Prometheus' answers, without Prometheus: which series become which
// JSON member, in which order, and what is null. gateway_observability_test runs the route
// against a fake Prometheus on a socket.
#include "routes/admin/observability.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace storefront::gateway::routes::admin {
namespace {

using nlohmann::json;
using observability::Sample;
using observability::Vector;

Sample Series(std::map<std::string, std::string> labels, std::optional<double> value) {
  return {std::move(labels), value};
}

// One empty answer per query; a test fills the ones it is about.
std::vector<Vector> NoAnswers() { return std::vector<Vector>(kDashboardQueryCount); }

TEST(DashboardQueriesTest, ServiceErrorsAreTheCodesThatSayTheServerFailed) {
  EXPECT_EQ(ServerFaultCodes(), (std::vector<std::string>{"UNKNOWN", "DEADLINE_EXCEEDED", "UNIMPLEMENTED", "INTERNAL",
                                                          "UNAVAILABLE", "DATA_LOSS"}));
  const auto& errors = DashboardQueries()[kGrpcErrors];
  EXPECT_NE(errors.find(R"(grpc_code=~"UNKNOWN|DEADLINE_EXCEEDED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|DATA_LOSS")"),
            std::string::npos)
      << errors;
  EXPECT_NE(DashboardQueries()[kHttpErrors].find(R"(code=~"5..")"), std::string::npos);
}

// The dashboard must show the figure the alerts fire on: every rate, error and p99 expression it
// asks is also, word for word, in the store's recording rules (infra/prometheus/rules).
TEST(DashboardQueriesTest, TheFiguresAreTheRecordingRulesExpressions) {
  std::ifstream file(STOREFRONT_RULES_FILE);
  ASSERT_TRUE(file) << "cannot read " << STOREFRONT_RULES_FILE;
  const std::string rules((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (auto id : {kHttpRate, kHttpErrors, kHttpP99, kGrpcRate, kGrpcErrors, kGrpcP99, kOutboxAge, kConsumerLag}) {
    EXPECT_NE(rules.find(DashboardQueries()[id]), std::string::npos) << DashboardQueries()[id];
  }
}

TEST(DashboardQueriesTest, OneQueryPerFigureEveryRateOverTheLastMinute) {
  const auto& queries = DashboardQueries();
  ASSERT_EQ(queries.size(), static_cast<std::size_t>(kDashboardQueryCount));
  for (auto id : {kHttpRate, kHttpErrors, kHttpP99, kGrpcRate, kGrpcErrors, kGrpcP99, kSagas}) {
    EXPECT_NE(queries[id].find("rate("), std::string::npos) << queries[id];
    EXPECT_NE(queries[id].find("[1m]"), std::string::npos) << queries[id];
  }
  EXPECT_NE(queries[kDeadLettersLastHour].find("increase(events_dead_lettered_total[1h])"), std::string::npos);
  EXPECT_NE(queries[kHttpP99].find("histogram_quantile(0.99, sum by (job, le)"), std::string::npos);
}

TEST(DashboardJsonTest, TheGatewayFromItsHttpFiguresEachServiceFromItsRpcs) {
  auto answers = NoAnswers();
  answers[kInstancesUp] = {Series({{"job", "checkout"}}, 2), Series({{"job", "gateway"}}, 1),
                           Series({{"job", "payments"}}, 0), Series({{"job", "prometheus"}}, 1)};
  answers[kInstances] = {Series({{"job", "checkout"}}, 2), Series({{"job", "gateway"}}, 1),
                         Series({{"job", "payments"}}, 1), Series({{"job", "prometheus"}}, 1)};
  answers[kHttpRate] = {Series({{"job", "gateway"}}, 12.5)};
  answers[kHttpErrors] = {Series({{"job", "gateway"}}, 0.5)};
  answers[kHttpP99] = {Series({{"job", "gateway"}}, 0.012)};
  answers[kGrpcRate] = {Series({{"job", "checkout"}}, 4), Series({{"job", "catalog"}}, 30),
                        Series({{"job", "payments"}}, 0), Series({}, 99)};  // a series without a job: skipped
  answers[kGrpcErrors] = {Series({{"job", "catalog"}}, 3)};
  answers[kGrpcP99] = {Series({{"job", "checkout"}}, 0.25), Series({{"job", "catalog"}}, 0.004),
                       Series({{"job", "payments"}}, std::nullopt)};  // NaN: no observations

  auto services = DashboardJson(answers)["services"];
  EXPECT_EQ(services, json::parse(R"([
    {"job": "gateway", "instances_up": 1, "instances": 1, "request_rate": 12.5, "error_ratio": 0.04, "p99_seconds": 0.012},
    {"job": "catalog", "instances_up": null, "instances": null, "request_rate": 30.0, "error_ratio": 0.1, "p99_seconds": 0.004},
    {"job": "checkout", "instances_up": 2, "instances": 2, "request_rate": 4.0, "error_ratio": 0.0, "p99_seconds": 0.25},
    {"job": "payments", "instances_up": 0, "instances": 1, "request_rate": 0.0, "error_ratio": null, "p99_seconds": null},
    {"job": "prometheus", "instances_up": 1, "instances": 1, "request_rate": null, "error_ratio": null, "p99_seconds": null}
  ])")) << services.dump(2);
}

TEST(DashboardJsonTest, OutboxLagAndDeadLettersPerJobAndTopicInWholeNumbers) {
  auto answers = NoAnswers();
  answers[kOutboxRows] = {Series({{"job", "checkout"}}, 3), Series({{"job", "inventory"}}, 0)};
  answers[kOutboxAge] = {Series({{"job", "checkout"}}, 12.5), Series({{"job", "inventory"}}, 0),
                         Series({{"job", "catalog"}}, 0)};
  answers[kConsumerLag] = {Series({{"job", "shipping"}, {"topic", "storefront.checkout.v1"}}, 7),
                           Series({{"job", "payments"}, {"topic", "storefront.checkout.v1"}}, 0),
                           Series({{"job", "payments"}, {"topic", "storefront.inventory.v1"}}, 2),
                           Series({{"job", "payments"}}, 5)};  // no topic: skipped
  answers[kDeadLetters] = {Series({{"job", "inventory"}, {"topic", "storefront.checkout.v1"}}, 4)};
  // increase() extrapolates over its window: 2.0345 dead letters is two.
  answers[kDeadLettersLastHour] = {Series({{"job", "inventory"}, {"topic", "storefront.checkout.v1"}}, 2.0345)};

  auto body = DashboardJson(answers);
  EXPECT_EQ(body["outbox"], json::parse(R"([
    {"job": "catalog", "unpublished_rows": null, "oldest_unpublished_age_seconds": 0.0},
    {"job": "checkout", "unpublished_rows": 3, "oldest_unpublished_age_seconds": 12.5},
    {"job": "inventory", "unpublished_rows": 0, "oldest_unpublished_age_seconds": 0.0}
  ])")) << body["outbox"].dump(2);
  EXPECT_EQ(body["consumer_lag"], json::parse(R"([
    {"job": "payments", "topic": "storefront.checkout.v1", "lag": 0},
    {"job": "payments", "topic": "storefront.inventory.v1", "lag": 2},
    {"job": "shipping", "topic": "storefront.checkout.v1", "lag": 7}
  ])")) << body["consumer_lag"].dump(2);
  EXPECT_EQ(body["dead_letters"], json::parse(R"([
    {"job": "inventory", "topic": "storefront.checkout.v1", "total": 4, "last_hour": 2}
  ])"));
  EXPECT_TRUE(body["dead_letters"][0]["total"].is_number_integer());
}

TEST(DashboardJsonTest, SagaRatesAreNullUntilCheckoutCountedOneAndZeroForAnOutcomeNotYetSeen) {
  auto answers = NoAnswers();
  EXPECT_EQ(DashboardJson(answers)["sagas"], json::parse(R"({"completed_rate": null, "failed_rate": null})"));
  answers[kSagas] = {Series({{"outcome", "completed"}}, 0.75)};
  EXPECT_EQ(DashboardJson(answers)["sagas"], json::parse(R"({"completed_rate": 0.75, "failed_rate": 0.0})"));
  answers[kSagas].push_back(Series({{"outcome", "failed"}}, 0.25));
  EXPECT_EQ(DashboardJson(answers)["sagas"], json::parse(R"({"completed_rate": 0.75, "failed_rate": 0.25})"));
}

TEST(DashboardJsonTest, NothingKnownIsEmptyListsNeverNaN) {
  auto body = DashboardJson(NoAnswers());
  EXPECT_EQ(body, json::parse(R"({"services": [], "outbox": [], "consumer_lag": [], "dead_letters": [],
                                  "sagas": {"completed_rate": null, "failed_rate": null}})"));
  EXPECT_THROW(DashboardJson(std::vector<Vector>(3)), std::invalid_argument);
}

}  // namespace
}  // namespace storefront::gateway::routes::admin

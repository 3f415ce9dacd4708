// What the gateway accepts from Prometheus' query API and from its own observability settings.
// The client's HTTP side (timeouts, unreachable, HTTP errors) is in gateway_observability_test.
#include "observability/prometheus_client.h"

#include <gtest/gtest.h>

#include "observability/settings.h"

namespace storefront::gateway::observability {
namespace {

// The message ParseVector throws for `body`, or "" when it accepts it.
std::string Refusal(const std::string& body) {
  try {
    ParseVector(body);
    return "";
  } catch (const PrometheusError& error) {
    return error.what();
  }
}

TEST(ParseVectorTest, ReadsLabelsAndValuesAndTurnsNaNAndInfinityIntoNoValue) {
  auto vector = ParseVector(R"({"status": "success", "data": {"resultType": "vector", "result": [
      {"metric": {"job": "checkout", "topic": "storefront.checkout.v1"}, "value": [1733500000.5, "12.25"]},
      {"metric": {}, "value": [1733500000, "NaN"]},
      {"metric": {"job": "gateway"}, "value": [1733500000, "+Inf"]},
      {"metric": {"job": "cart"}, "value": [1733500000, "-Inf"]},
      {"metric": {"job": "catalog"}, "value": [1733500000, "0"]}]}, "warnings": ["ignored"]})");
  ASSERT_EQ(vector.size(), 5u);
  EXPECT_EQ(vector[0].labels, (std::map<std::string, std::string>{{"job", "checkout"}, {"topic", "storefront.checkout.v1"}}));
  EXPECT_EQ(vector[0].value, 12.25);
  EXPECT_TRUE(vector[1].labels.empty());
  EXPECT_FALSE(vector[1].value.has_value());
  EXPECT_FALSE(vector[2].value.has_value());
  EXPECT_FALSE(vector[3].value.has_value());
  EXPECT_EQ(vector[4].value, 0.0);
  EXPECT_TRUE(ParseVector(R"({"status": "success", "data": {"resultType": "vector", "result": []}})").empty());
}

TEST(ParseVectorTest, AnErrorAnswerSaysWhatPrometheusSaid) {
  EXPECT_EQ(Refusal(R"({"status": "error", "errorType": "bad_data", "error": "1:5: parse error: unexpected"})"),
            "the query failed: bad_data: 1:5: parse error: unexpected");
  EXPECT_EQ(Refusal(R"({"status": "error"})"), "the query failed");
}

TEST(ParseVectorTest, RefusesEveryOtherShape) {
  EXPECT_EQ(Refusal("<html>Prometheus</html>"), "the answer is not JSON");
  EXPECT_EQ(Refusal("[]"), "the answer is not a JSON object");
  EXPECT_EQ(Refusal(R"({"data": {}})"), "the answer has no status");
  EXPECT_EQ(Refusal(R"({"status": "success"})"), "the answer has no data object");
  EXPECT_EQ(Refusal(R"({"status": "success", "data": {"resultType": "matrix", "result": []}})"),
            "the result is not an instant vector");
  EXPECT_EQ(Refusal(R"({"status": "success", "data": {"resultType": "vector", "result": {}}})"),
            "the result is not an array");
  EXPECT_EQ(Refusal(R"({"status": "success", "data": {"resultType": "vector", "result": [7]}})"),
            "result[0] is not an object");
  EXPECT_EQ(Refusal(R"({"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "1"]}]}})"),
            "result[0].metric is not an object");
  EXPECT_EQ(Refusal(R"({"status": "success", "data": {"resultType": "vector", "result": [
                {"metric": {"job": 3}, "value": [1, "1"]}]}})"),
            "result[0].metric.job is not a string");
  for (const char* value : {R"([1])", R"([1, 2])", R"(["1", "2"])", R"("2")", R"([1, "2", 3])"}) {
    EXPECT_EQ(Refusal(std::string(R"({"status": "success", "data": {"resultType": "vector", "result": [
                  {"metric": {}, "value": )") + value + "}]}}"),
              "result[0].value is not a [time, \"value\"] pair")
        << value;
  }
  for (const char* value : {"", "twelve", "12abc", " 12", "1e999", "nan"}) {
    EXPECT_EQ(Refusal(std::string(R"({"status": "success", "data": {"resultType": "vector", "result": [
                  {"metric": {}, "value": [1, ")") + value + "\"]}]}}"),
              std::string("result[0].value is not a number: ") + value)
        << value;
  }
}

TEST(ParseVectorTest, RefusesMoreSeriesThanTheBound) {
  std::string result;
  for (std::size_t i = 0; i <= kMaxSeries; ++i) {
    result += (i ? "," : "") + std::string(R"({"metric": {"job": "j)") + std::to_string(i) + R"("}, "value": [1, "1"]})";
  }
  EXPECT_EQ(Refusal(R"({"status": "success", "data": {"resultType": "vector", "result": [)" + result + "]}}"),
            "the result has 1001 series, more than 1000");
}

TEST(ConsoleSettingsTest, BothAreOptionalAndMustBeHttpUrls) {
  auto none = config::Env::FromMap({});
  auto settings = ReadConsoleSettings(none);
  EXPECT_EQ(settings.prometheus_url, "");
  EXPECT_EQ(settings.trace_ui_url, "");
  EXPECT_TRUE(none.errors().empty());

  auto set = config::Env::FromMap({{"PROMETHEUS_URL", "http://127.0.0.1:9090"},
                                   {"TRACE_UI_URL", "http://127.0.0.1:9411/zipkin/traces/"}});
  settings = ReadConsoleSettings(set);
  EXPECT_EQ(settings.prometheus_url, "http://127.0.0.1:9090");
  EXPECT_EQ(settings.trace_ui_url, "http://127.0.0.1:9411/zipkin/traces/");
  EXPECT_TRUE(set.errors().empty());

  auto wrong = config::Env::FromMap({{"PROMETHEUS_URL", "127.0.0.1:9090"}, {"TRACE_UI_URL", "ftp://zipkin/"}});
  ReadConsoleSettings(wrong);
  ASSERT_EQ(wrong.errors().size(), 2u);
  EXPECT_EQ(wrong.errors()[0], "PROMETHEUS_URL must start with http:// or https://, e.g. http://127.0.0.1:9090");
  EXPECT_EQ(wrong.errors()[1],
            "TRACE_UI_URL must start with http:// or https://, e.g. http://127.0.0.1:9411/zipkin/traces/");
}

TEST(ConsoleSettingsTest, WhatAnHttpUrlIs) {
  EXPECT_FALSE(HttpUrlProblem("https://prometheus.monitoring.svc:9090/prom", false));
  EXPECT_FALSE(HttpUrlProblem("http://jaeger:16686/trace/", true));
  EXPECT_FALSE(HttpUrlProblem("http://tempo/explore?traceId=", true));
  EXPECT_EQ(HttpUrlProblem("http://tempo/explore?traceId=", false), "must not have a query or fragment");
  EXPECT_EQ(HttpUrlProblem("http://", false), "must name a host");
  EXPECT_EQ(HttpUrlProblem("http://:9090", false), "must name a host");
  EXPECT_EQ(HttpUrlProblem("http://prom etheus", false), "must be a URL without spaces or control characters");
  EXPECT_EQ(HttpUrlProblem("file:///etc/passwd", true), "must start with http:// or https://");
  EXPECT_EQ(HttpUrlProblem("http://admin:secret@prometheus:9090", false), "must not carry a user name or password");
}

TEST(PrometheusClientTest, DropsATrailingSlashFromTheBaseUrl) {
  EXPECT_EQ(PrometheusClient("http://127.0.0.1:9090/").base_url(), "http://127.0.0.1:9090");
  EXPECT_EQ(PrometheusClient("http://127.0.0.1:9090").timeout(), std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace storefront::gateway::observability

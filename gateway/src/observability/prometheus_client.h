// The Prometheus HTTP API as the operator API asks it for the dashboard's figures: instant queries
// (GET <base>/api/v1/query?query=...), several at once over libcurl's multi interface, all within
// one deadline. Blocking: the console's routes call it from their http::BlockingPool.
//
// What Prometheus answers is input like any other: every answer is checked for the shape the API
// documents (status "success", an instant vector of series with string labels and a [time,
// "value"] pair), its size and its number of series are bounded, and anything else is a
// PrometheusError saying what was wrong, never a crash or a half-read figure.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace storefront::gateway::observability {

// Prometheus could not be asked, or its answer was not what the API documents.
class PrometheusError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One series of an instant vector. `value` is empty when Prometheus said NaN or ±Inf (an error
// ratio over no requests, a quantile of no observations): JSON has no such numbers, and the
// operator API says null.
struct Sample {
  std::map<std::string, std::string> labels;
  std::optional<double> value;
};
using Vector = std::vector<Sample>;

// Bounds on one answer: the store's label sets are small (a job, a topic), so an answer past them
// is a Prometheus or a query gone wrong, refused rather than relayed.
inline constexpr std::size_t kMaxAnswerBytes = 1 << 20;
inline constexpr std::size_t kMaxSeries = 1000;

// The body of a 200 answer to /api/v1/query, checked:
//   {"status": "success", "data": {"resultType": "vector",
//    "result": [{"metric": {"job": "checkout"}, "value": [1733500000.5, "12.3"]}, ...]}}
// Throws PrometheusError naming the first thing that differs (an error status with Prometheus'
// errorType and error, another result type, a missing or mistyped member, a value that is not a
// number, more than kMaxSeries series).
Vector ParseVector(std::string_view body);

class PrometheusClient {
 public:
  // The whole of a Query call: the dashboard refreshes every few seconds, and a slow Prometheus
  // must cost it a short wait and a clear 503, not a hung page.
  static constexpr std::chrono::milliseconds kDefaultTimeout{1500};

  // `base_url`: http(s)://host[:port][/prefix], as PROMETHEUS_URL holds it (a trailing '/' is
  // dropped). `timeout` bounds each Query call as a whole.
  explicit PrometheusClient(std::string base_url, std::chrono::milliseconds timeout = kDefaultTimeout);

  // Runs every query at once and answers their vectors in the same order, or throws
  // PrometheusError for the first that failed: unreachable, no answer within the timeout, an HTTP
  // status other than 200 (with Prometheus' own error when it gave one), an answer that is too
  // large or not of the documented shape.
  std::vector<Vector> Query(const std::vector<std::string>& queries) const;

  const std::string& base_url() const { return base_url_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  std::string base_url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace storefront::gateway::observability

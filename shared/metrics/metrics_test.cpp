#include "shared/metrics/metrics.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <regex>
#include <string>

namespace storefront::metrics {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string Get(const std::string& url, long* status) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  curl_easy_cleanup(curl);
  return body;
}

// The value of the sample `series` (name and labels exactly as printed) in a scrape, or -1.
double Sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(MetricsTest, AFamilyNamedTwiceIsOneFamily) {
  auto& first = Counters("metrics_test_named_twice_total", "Counted in two places.");
  auto& second = Counters("metrics_test_named_twice_total", "Counted in two places.");
  EXPECT_EQ(&first, &second);
  first.Add({{"place", "a"}}).Increment();
  second.Add({{"place", "a"}}).Increment(2);
  EXPECT_EQ(Sample(Text(), "metrics_test_named_twice_total{place=\"a\"}"), 3);
}

TEST(MetricsTest, TheEndpointServesTheRegistryAndTheProcessFiguresInTextFormat) {
  Gauges("metrics_test_served", "A gauge the endpoint must serve.").Add({}).Set(42);
  Endpoint endpoint("127.0.0.1:0");
  ASSERT_GT(endpoint.port(), 0);
  long status = 0;
  auto text = Get("http://127.0.0.1:" + std::to_string(endpoint.port()) + "/metrics", &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(Sample(text, "metrics_test_served"), 42);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter"), std::string::npos) << text;
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1024 * 1024);
  EXPECT_GT(Sample(text, "process_open_fds"), 2);
}

TEST(MetricsTest, TheProcessFiguresAreThisProcesssOwn) {
  // Burn some CPU, so that the figure is not 0 by accident.
  volatile double sink = 0;
  for (int i = 0; i < 20'000'000; ++i) sink = sink + i * 0.5;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const std::string text = Text();
  EXPECT_NEAR(Sample(text, "process_cpu_seconds_total"), cpu, 0.1);  // /proc counts in clock ticks
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double started = Sample(text, "process_start_time_seconds");
  EXPECT_LE(started, now + 1);
  EXPECT_GT(started, now - 600) << "this test binary started minutes ago, not at boot or in 1970";
  EXPECT_NEAR(Sample(text, "process_resident_memory_bytes"), static_cast<double>(usage.ru_maxrss) * 1024,
              static_cast<double>(usage.ru_maxrss) * 1024 * 0.5);
}

TEST(MetricsTest, AnEndpointThatCannotListenSaysWhere) {
  Endpoint first("127.0.0.1:0");
  std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    Endpoint second(taken);
    FAIL() << "a second endpoint listened on " << taken;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(taken), std::string::npos) << e.what();
  }
}

TEST(MetricsTest, ScrapeHooksRunAtEachScrapeUntilTheirHandleIsGone) {
  auto& gauge = Gauges("metrics_test_hooked", "Set by a scrape hook.").Add({});
  int runs = 0;
  {
    ScrapeHook hook([&] { gauge.Set(++runs); });
    EXPECT_EQ(Sample(Text(), "metrics_test_hooked"), 1);
    EXPECT_EQ(Sample(Text(), "metrics_test_hooked"), 2);
  }
  Text();
  EXPECT_EQ(runs, 2);
}

TEST(MetricsTest, LatencyBucketsRiseFromHalfAMillisecondToTenSeconds) {
  const auto& buckets = LatencyBuckets();
  ASSERT_FALSE(buckets.empty());
  EXPECT_DOUBLE_EQ(buckets.front(), 0.0005);
  EXPECT_DOUBLE_EQ(buckets.back(), 10);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

}  // namespace
}  // namespace storefront::metrics

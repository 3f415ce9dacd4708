// Prometheus metrics for every process, with prometheus-cpp.
//
// One registry per process (metrics::Registry()), which every part of the process adds its
// families to where the figure is made: the gRPC interceptors (rpc_server / rpc_client figures),
// the gateway's HTTP layer, the database pool, the outbox relay, the consumer, the saga. An
// Endpoint serves the registry, the process's CPU and memory and whatever scrape hooks are
// registered, as Prometheus' text format at http://<METRICS_ADDR>/metrics.
//
//   static auto& handled = metrics::Counters("outbox_published_total", "Events published, by topic.");
//   handled.Add({{"topic", topic}}).Increment();
//
// Names follow Prometheus' conventions (snake_case, unit suffix, `_total` on counters), and label
// values come from bounded sets only: a route template, a method name, a topic, an outcome; never
// an id, so a series count does not grow with traffic. The figures and their meaning are listed in
// docs/observability.md.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace prometheus {
class Exposer;
}

namespace storefront::metrics {

// The process's registry. A family registered twice with the same name, type and help is the
// same family (prometheus-cpp merges them), so each file may name the families it uses.
prometheus::Registry& Registry();

prometheus::Family<prometheus::Counter>& Counters(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Gauge>& Gauges(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Histogram>& Histograms(const std::string& name, const std::string& help);

// Seconds, for every duration histogram of the store: from half a millisecond (a cached read) to
// ten seconds (a checkout near its budget).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

double SecondsSince(std::chrono::steady_clock::time_point start);

// A function run at every scrape, before the figures are read: for gauges that are cheaper to read
// when asked than to keep up to date (a breaker's state, a queue's length). Removed when the
// handle is destroyed; the function must not outlive what it reads.
class ScrapeHook {
 public:
  explicit ScrapeHook(std::function<void()> refresh);
  ~ScrapeHook();
  ScrapeHook(const ScrapeHook&) = delete;
  ScrapeHook& operator=(const ScrapeHook&) = delete;

 private:
  std::uint64_t id_;
};

// Everything a scrape returns, in Prometheus' text format: the scrape hooks run, then the
// registry and the process's figures are serialised. What the endpoint serves; tests read it.
std::string Text();

// Serves Text() at http://<address>/metrics until destroyed. `address` is host:port; port 0
// takes a free one (port() tells which). Throws std::runtime_error when it cannot listen.
class Endpoint {
 public:
  explicit Endpoint(const std::string& address);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  int port() const { return port_; }

 private:
  std::shared_ptr<prometheus::Collectable> collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace storefront::metrics

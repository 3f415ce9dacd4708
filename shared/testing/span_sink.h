// A stand-in tracing backend for tests: an HTTP server on a free loopback port that takes Zipkin
// v2 JSON batches (POST /api/v2/spans), answers 202 as Zipkin does, and keeps every span it got.
// It can also refuse (answer 503), or take a batch and never answer, to show what an exporter does
// when the backend is down or hangs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace storefront::testing {

class SpanSink {
 public:
  SpanSink();
  ~SpanSink();
  SpanSink(const SpanSink&) = delete;
  SpanSink& operator=(const SpanSink&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v2/spans"; }
  void Refuse(bool refuse) { refuse_ = refuse; }
  // Reads each request and never answers it (until destroyed).
  void Hang(bool hang) { hang_ = hang; }

  std::vector<nlohmann::json> Spans() const;
  int Batches() const;
  std::vector<std::size_t> BatchSizes() const;  // spans per batch, in arrival order
  // Waits until `done(Spans())` holds or `timeout` passes; returns whether it held.
  bool WaitFor(const std::function<bool(const std::vector<nlohmann::json>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  void Serve();
  void Answer(int connection);

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> refuse_{false};
  std::atomic<bool> hang_{false};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<nlohmann::json> spans_;
  std::vector<std::size_t> batch_sizes_;
  std::thread thread_;
};

}  // namespace storefront::testing

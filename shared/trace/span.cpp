#include "shared/trace/span.h"

#include <curl/curl.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "shared/log/log.h"
#include "shared/metrics/metrics.h"

namespace storefront::trace {
namespace {

std::atomic<int> sample_percent{100};

bool SampleNewTrace() {
  int percent = sample_percent.load(std::memory_order_relaxed);
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_int_distribution<int>(0, 99)(engine) < percent;
}

struct ExportFigures {
  prometheus::Counter& exported;
  prometheus::Counter& dropped;
  prometheus::Counter& failures;
};

ExportFigures& Figures() {
  static ExportFigures figures{
      metrics::Counters("trace_spans_exported_total", "Spans the tracing backend accepted.").Add({}),
      metrics::Counters("trace_spans_dropped_total",
                        "Spans discarded: the export queue was full, or the backend refused or missed a batch.")
          .Add({}),
      metrics::Counters("trace_export_failures_total", "Batches the tracing backend did not accept.").Add({})};
  return figures;
}

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// The export queue and the thread that empties it.
class Exporter {
 public:
  explicit Exporter(ExportSettings settings) : settings_(std::move(settings)), thread_([this] { Run(); }) {}
  ~Exporter() { Stop(); }

  // Sends what is queued, within one `timeout` for all of it, and joins the thread; spans added
  // after this are dropped. Runs on the caller's thread, so shutdown waits for it, bounded.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void Add(Span::Record&& record) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= settings_.queue_capacity) {
        Figures().dropped.Increment();
        return;
      }
      queue_.push_back(std::move(record));
      if (queue_.size() < settings_.batch_size) return;
    }
    wake_.notify_one();
  }

 private:
  void Run() {
    CURL* curl = curl_easy_init();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, settings_.interval, [this] { return stopping_ || queue_.size() >= settings_.batch_size; });
      if (stopping_) break;
      // What is queued now, a batch at a time; a full queue wakes the thread again at once.
      while (!queue_.empty() && !stopping_) {
        auto batch = TakeBatch();
        lock.unlock();
        Send(curl, batch, settings_.timeout);
        lock.lock();
        if (queue_.size() < settings_.batch_size) break;  // the rest waits for the next interval
      }
    }
    // The last try, bounded as a whole: a backend that hangs must not hold a shutdown for
    // batches x timeout. The first batch it misses drops the rest.
    const auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
    while (!queue_.empty()) {
      auto batch = TakeBatch();
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      lock.unlock();
      bool sent = left.count() > 0 && Send(curl, batch, left);
      if (left.count() <= 0) Figures().dropped.Increment(static_cast<double>(batch.size()));
      lock.lock();
      if (!sent) {
        Figures().dropped.Increment(static_cast<double>(queue_.size()));
        queue_.clear();
      }
    }
    curl_easy_cleanup(curl);
  }

  std::vector<Span::Record> TakeBatch() {  // under mutex_
    std::vector<Span::Record> batch;
    auto count = std::min(queue_.size(), settings_.batch_size);
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return batch;
  }

  // POSTs one batch within `timeout`; false (the batch dropped and counted) when it failed.
  bool Send(CURL* curl, const std::vector<Span::Record>& batch, std::chrono::milliseconds timeout) {
    if (curl == nullptr) {
      Figures().dropped.Increment(static_cast<double>(batch.size()));
      return false;
    }
    std::string body = ZipkinJson(batch, settings_.service);
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(1, timeout.count())));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
    CURLcode result = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (result == CURLE_OK && status >= 200 && status < 300) {
      Figures().exported.Increment(static_cast<double>(batch.size()));
      failures_in_a_row_ = 0;
      return true;
    }
    Figures().failures.Increment();
    Figures().dropped.Increment(static_cast<double>(batch.size()));
    // One line when the backend goes away, not one per batch while it stays away.
    if (failures_in_a_row_++ == 0) {
      log::Warn("trace export failed; spans are dropped until the backend answers",
                {{"url", settings_.url},
                 {"error", result == CURLE_OK ? "HTTP " + std::to_string(status) : curl_easy_strerror(result)}});
    }
    return false;
  }

  const ExportSettings settings_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Span::Record> queue_;
  bool stopping_ = false;
  int failures_in_a_row_ = 0;
  std::thread thread_;  // last: starts once the rest exists
};

// The exporter spans go to; null while none is started. Spans record only while there is one.
std::atomic<std::shared_ptr<Exporter>> exporter;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kServer: return "SERVER";
    case Kind::kClient: return "CLIENT";
    case Kind::kProducer: return "PRODUCER";
    case Kind::kConsumer: return "CONSUMER";
    case Kind::kInternal: break;
  }
  return "";
}

std::int64_t Micros(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

}  // namespace

Span::Span(SpanContext context, const SpanContext* parent, std::string name, Kind kind) : context_(context) {
  if (!context_.sampled || !exporter.load(std::memory_order_relaxed)) return;  // nothing would send it
  record_ = std::make_unique<Record>();
  record_->context = context_;
  if (parent != nullptr) {
    record_->parent_id = parent->span_id;
    record_->has_parent = true;
  }
  record_->name = std::move(name);
  record_->kind = kind;
  record_->start = std::chrono::system_clock::now();
  record_->start_steady = std::chrono::steady_clock::now();
}

Span::Span(Span&& other) noexcept : context_(other.context_), record_(std::move(other.record_)) {}

Span Span::ChildOf(const SpanContext& parent, std::string name, Kind kind) {
  SpanContext context{.trace_id = parent.trace_id, .span_id = NewSpanId(), .sampled = parent.sampled};
  return Span(context, &parent, std::move(name), kind);
}

Span Span::Start(std::string name, Kind kind) {
  if (const SpanContext* current = Current()) return ChildOf(*current, std::move(name), kind);
  return Root(std::move(name), kind);
}

Span Span::Root(std::string name, Kind kind) {
  SpanContext context{.trace_id = NewTraceId(), .span_id = NewSpanId(), .sampled = SampleNewTrace()};
  return Span(context, nullptr, std::move(name), kind);
}

void Span::Tag(std::string_view key, std::string_view value) {
  if (record_) record_->tags.emplace_back(key, value);
}

void Span::Rename(std::string name) {
  if (record_) record_->name = std::move(name);
}

void Span::Fail(std::string_view reason) { Tag("error", reason.empty() ? "true" : reason); }

void Span::End() {
  if (!record_) return;
  record_->duration = std::max(std::chrono::microseconds(1), std::chrono::duration_cast<std::chrono::microseconds>(
                                                                 std::chrono::steady_clock::now() - record_->start_steady));
  auto record = std::move(record_);
  if (auto current = exporter.load()) current->Add(std::move(*record));
}

bool DrawSampled() { return SampleNewTrace(); }

void SetSamplePercent(int percent) { sample_percent.store(std::clamp(percent, 0, 100)); }

void StartExport(ExportSettings settings) {
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!curl_ready) throw std::runtime_error("libcurl could not be initialised");
  Figures();
  if (auto previous = exporter.exchange(std::make_shared<Exporter>(std::move(settings)))) previous->Stop();
}

void StopExport() {
  // Stopped here, on the caller's thread and within the export timeout; a span still holding it
  // only drops what it adds.
  if (auto stopped = exporter.exchange(nullptr)) stopped->Stop();
}

std::string ZipkinJson(const std::vector<Span::Record>& records, std::string_view service) {
  nlohmann::json spans = nlohmann::json::array();
  for (const auto& record : records) {
    nlohmann::json span = {{"traceId", record.context.TraceIdHex()},
                           {"id", record.context.SpanIdHex()},
                           {"name", record.name},
                           {"timestamp", Micros(record.start)},
                           {"duration", record.duration.count()},
                           {"localEndpoint", {{"serviceName", service}}}};
    if (record.has_parent) {
      SpanContext parent{.trace_id = record.context.trace_id, .span_id = record.parent_id};
      span["parentId"] = parent.SpanIdHex();
    }
    if (auto kind = KindName(record.kind); !kind.empty()) span["kind"] = kind;
    if (!record.tags.empty()) {
      nlohmann::json tags = nlohmann::json::object();
      for (const auto& [key, value] : record.tags) tags[key] = value;
      span["tags"] = std::move(tags);
    }
    spans.push_back(std::move(span));
  }
  return spans.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace storefront::trace

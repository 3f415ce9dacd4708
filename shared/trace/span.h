// Spans, and their export to a tracing backend in Zipkin's v2 JSON format (which Zipkin, Jaeger
// and the OpenTelemetry collector all accept), without an SDK: the format is a short JSON list.
//
//   auto span = trace::Span::Start("reserve stock", trace::Kind::kClient);  // child of Current()
//   trace::ContextScope scope(span.context());  // calls and log lines inside belong to it
//   ...
//   span.Tag("sku", sku);                       // bounded, never a card number or a secret
//   // ends when destroyed (or End())
//
// A span of an unsampled trace, or any span while no export runs, records nothing; its context
// still travels, so the trace id still ties the logs together. Ended spans wait in a bounded queue
// that a background thread sends in batches: a span that finds the queue full is dropped and
// counted (trace_spans_dropped_total), never waited for, and a backend that is down or hangs
// costs a request nothing and a shutdown at most one export timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/trace/context.h"

namespace storefront::trace {

enum class Kind { kInternal, kServer, kClient, kProducer, kConsumer };

class Span {
 public:
  // A child of `parent` (same trace, same sampling decision).
  static Span ChildOf(const SpanContext& parent, std::string name, Kind kind);
  // A child of the current context, or the root of a new trace when there is none.
  static Span Start(std::string name, Kind kind);
  // The root of a new trace, sampled as SetSamplePercent decided.
  static Span Root(std::string name, Kind kind);

  Span(Span&& other) noexcept;
  Span& operator=(Span&&) = delete;
  Span(const Span&) = delete;
  ~Span() { End(); }

  const SpanContext& context() const { return context_; }
  bool recording() const { return record_ != nullptr; }

  void Tag(std::string_view key, std::string_view value);
  // Names the span once more is known (an HTTP span gets its route once it is matched).
  void Rename(std::string name);
  // Marks the span failed (Zipkin's "error" tag) with a short reason.
  void Fail(std::string_view reason);
  // Ends the span now; later calls do nothing.
  void End();

  struct Record;  // what is exported: span.cpp

 private:
  Span(SpanContext context, const SpanContext* parent, std::string name, Kind kind);

  SpanContext context_;
  std::unique_ptr<Record> record_;  // null when not sampled, or once ended
};

// The share of new traces that are recorded (0..100; 100 until set). Decided once per trace, where
// it starts; every process after that follows the traceparent's sampled flag.
void SetSamplePercent(int percent);
// Draws whether a new trace is recorded, as SetSamplePercent decided.
bool DrawSampled();

struct ExportSettings {
  std::string url;      // Zipkin v2 endpoint, e.g. http://127.0.0.1:9411/api/v2/spans
  std::string service;  // localEndpoint.serviceName of every span: "gateway", "checkout", ...
  std::size_t queue_capacity = 8192;  // spans waiting; more are dropped
  std::size_t batch_size = 512;       // spans per POST at most
  std::chrono::milliseconds interval{500};  // longest a span waits to be sent
  std::chrono::milliseconds timeout{2000};  // per POST
};

// Starts sending ended spans to `settings.url` from a background thread. Until it is called, or
// after StopExport, spans record nothing. StopExport sends what is queued (one last try, within
// one `timeout` for all of it) and stops the thread; main() calls it at shutdown.
void StartExport(ExportSettings settings);
void StopExport();

// Zipkin v2 JSON of `records`; exposed for tests.
std::string ZipkinJson(const std::vector<Span::Record>& records, std::string_view service);

struct Span::Record {
  SpanContext context;
  std::array<std::uint8_t, 8> parent_id{};
  bool has_parent = false;
  std::string name;
  Kind kind = Kind::kInternal;
  std::chrono::system_clock::time_point start;
  std::chrono::steady_clock::time_point start_steady;
  std::chrono::microseconds duration{0};
  std::vector<std::pair<std::string, std::string>> tags;
};

}  // namespace storefront::trace

// W3C Trace Context (https://www.w3.org/TR/trace-context/): the ids that tie one shopper's request
// to every span it causes, in every process, across gRPC and Kafka.
//
// A SpanContext is what travels: in the `traceparent` HTTP header, in gRPC metadata under the same
// name, in the outbox envelope and in the Kafka record's headers. The context a thread is working
// for is its current one (Current()); a ContextScope makes a context current for a block, and
// the log lines written inside it carry its trace_id and span_id (shared/log).
//
// This header has no dependency, so that the log library can read the current context; spans and
// their export are in span.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace storefront::trace {

struct SpanContext {
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};
  bool sampled = false;  // the trace-flags bit: whether the spans of this trace are recorded

  std::string TraceIdHex() const;
  std::string SpanIdHex() const;
  // "00-<trace id>-<span id>-<01 or 00>"
  std::string Traceparent() const;
};

// A traceparent from outside, checked as the specification says: version 00 (or a later version,
// of which the first four fields are read), lowercase hex, trace and span ids not all zero.
// nullopt for anything else, and the caller starts a new trace.
std::optional<SpanContext> ParseTraceparent(std::string_view header);

// Whether `hex` is a trace id as logs and backends print it: 32 lowercase hex digits, not all zero.
bool IsTraceIdHex(std::string_view hex);

std::array<std::uint8_t, 16> NewTraceId();
std::array<std::uint8_t, 8> NewSpanId();

// The context this thread works for, or nullptr.
const SpanContext* Current();

// Makes `context` current on this thread until destroyed, then restores the one before.
class ContextScope {
 public:
  explicit ContextScope(const SpanContext& context);
  explicit ContextScope(const std::optional<SpanContext>& context);  // nullopt: none current
  ~ContextScope();
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  std::optional<SpanContext> context_;
  const SpanContext* previous_;
};

}  // namespace storefront::trace

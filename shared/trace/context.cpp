#include "shared/trace/context.h"

#include <random>

namespace storefront::trace {
namespace {

thread_local const SpanContext* current = nullptr;

constexpr char kHex[] = "0123456789abcdef";

template <std::size_t N>
std::string Hex(const std::array<std::uint8_t, N>& bytes) {
  std::string out(2 * N, '0');
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is invalid in traceparent
}

template <std::size_t N>
bool ParseHex(std::string_view text, std::array<std::uint8_t, N>& out) {
  if (text.size() != 2 * N) return false;
  bool all_zero = true;
  for (std::size_t i = 0; i < N; ++i) {
    int high = HexDigit(text[2 * i]);
    int low = HexDigit(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>(high << 4 | low);
    all_zero = all_zero && out[i] == 0;
  }
  return !all_zero;
}

template <std::size_t N>
std::array<std::uint8_t, N> RandomBytes() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::array<std::uint8_t, N> bytes{};
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      auto word = engine();
      for (std::size_t j = 0; j < 8 && i + j < N; ++j) bytes[i + j] = static_cast<std::uint8_t>(word >> (8 * j));
    }
  } while (bytes == std::array<std::uint8_t, N>{});  // all zero is the invalid id
  return bytes;
}

}  // namespace

std::string SpanContext::TraceIdHex() const { return Hex(trace_id); }
std::string SpanContext::SpanIdHex() const { return Hex(span_id); }

std::string SpanContext::Traceparent() const {
  return "00-" + TraceIdHex() + "-" + SpanIdHex() + (sampled ? "-01" : "-00");
}

std::optional<SpanContext> ParseTraceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2+1+32+1+16+1+2 = 55 characters.
  if (header.size() < 55) return std::nullopt;
  std::array<std::uint8_t, 1> version{};
  std::array<std::uint8_t, 1> flags{};
  SpanContext context;
  auto version_text = header.substr(0, 2);
  bool version_ok = version_text == "00" || (ParseHex(version_text, version) && version[0] != 0xff);
  if (!version_ok || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  // Version 00 is exactly 55 characters; a later version may append fields after another dash.
  if (version_text == "00" ? header.size() != 55 : header.size() > 55 && header[55] != '-') return std::nullopt;
  if (!ParseHex(header.substr(3, 32), context.trace_id) || !ParseHex(header.substr(36, 16), context.span_id)) {
    return std::nullopt;
  }
  auto flags_text = header.substr(53, 2);
  if (flags_text != "00" && !ParseHex(flags_text, flags)) return std::nullopt;
  context.sampled = (flags[0] & 0x01) != 0;
  return context;
}

bool IsTraceIdHex(std::string_view hex) {
  std::array<std::uint8_t, 16> bytes{};
  return ParseHex(hex, bytes);
}

std::array<std::uint8_t, 16> NewTraceId() { return RandomBytes<16>(); }
std::array<std::uint8_t, 8> NewSpanId() { return RandomBytes<8>(); }

const SpanContext* Current() { return current; }

ContextScope::ContextScope(const SpanContext& context) : context_(context), previous_(current) { current = &*context_; }

ContextScope::ContextScope(const std::optional<SpanContext>& context) : context_(context), previous_(current) {
  current = context_ ? &*context_ : nullptr;
}

ContextScope::~ContextScope() { current = previous_; }

}  // namespace storefront::trace

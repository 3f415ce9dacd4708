#include "shared/log/log.h"

#include <sodium.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>

#include "shared/trace/context.h"

namespace storefront::log {
namespace {

struct State {
  std::mutex mutex;
  std::string service = "storefront";
  std::shared_ptr<spdlog::logger> logger;
  // The logger's level, readable without the mutex (Enabled is asked once per request).
  std::atomic<int> level{spdlog::level::info};
};

State& GetState() {
  static State state;
  return state;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* Name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%06ldZ", static_cast<long>(micros));
  return buffer;
}

std::shared_ptr<spdlog::logger> Logger() {
  auto& state = GetState();
  std::lock_guard lock(state.mutex);
  if (!state.logger) {
    state.logger = std::make_shared<spdlog::logger>("storefront", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    state.logger->set_pattern("%v");
    state.logger->flush_on(spdlog::level::debug);
  }
  return state.logger;
}

}  // namespace

void Init(std::string_view service, std::string_view level) {
  auto logger = Logger();
  {
    std::lock_guard lock(GetState().mutex);
    GetState().service = std::string(service);
  }
  spdlog::level::level_enum parsed = spdlog::level::info;
  if (level == "debug") parsed = spdlog::level::debug;
  else if (level == "warn") parsed = spdlog::level::warn;
  else if (level == "error") parsed = spdlog::level::err;
  logger->set_level(parsed);
  GetState().level.store(parsed, std::memory_order_relaxed);
}

std::string Format(std::string_view timestamp, std::string_view level, std::string_view service,
                   std::string_view message, const nlohmann::json& fields) {
  nlohmann::ordered_json line;
  line["ts"] = timestamp;
  line["level"] = level;
  line["service"] = service;
  line["msg"] = message;
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (key != "ts" && key != "level" && key != "service" && key != "msg") line[key] = value;
    }
  }
  // Invalid UTF-8 from the outside world must never make logging throw.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool Enabled(Level level) { return ToSpd(level) >= GetState().level.load(std::memory_order_relaxed); }

void Write(Level level, std::string_view message, const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  auto logger = Logger();
  std::string service;
  {
    std::lock_guard lock(GetState().mutex);
    service = GetState().service;
  }
  // A line written while a request or an event is being handled names its trace and span, so
  // grepping every service's log for one trace id follows one order (shared/trace/context.h).
  if (const trace::SpanContext* context = trace::Current(); context != nullptr && !fields.contains("trace_id")) {
    nlohmann::json traced = fields.is_object() ? fields : nlohmann::json::object();
    traced["trace_id"] = context->TraceIdHex();
    traced["span_id"] = context->SpanIdHex();
    logger->log(ToSpd(level), "{}", Format(UtcNow(), Name(level), service, message, traced));
    return;
  }
  logger->log(ToSpd(level), "{}", Format(UtcNow(), Name(level), service, message, fields));
}

std::string NewRequestId() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace storefront::log

// Structured logging: one JSON object per line on stdout, the twelve-factor way.
//
//   {"ts":"2026-11-29T03:00:00.123456Z","level":"info","service":"catalog",
//    "msg":"rpc finished","request_id":"5f0c...","method":"/storefront.catalog.v1.CatalogService/GetProduct",
//    "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}
//
// Every line that belongs to a request carries its request_id, so one shopper's request can be
// followed from the gateway through each service it touched.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace storefront::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the service name stamped on every line and the minimum level
// ("debug", "info", "warn", "error"). Safe to call again (tests do).
void Init(std::string_view service, std::string_view level);

void Write(Level level, std::string_view message, const nlohmann::json& fields = nlohmann::json::object());
// Whether a line of `level` would be written: a caller whose fields cost something to build (a
// line per request) asks first.
bool Enabled(Level level);
inline void Debug(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kDebug, message, fields);
}
inline void Info(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kInfo, message, fields);
}
inline void Warn(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kWarn, message, fields);
}
inline void Error(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kError, message, fields);
}

// Renders one log line (without the newline); exposed for tests.
std::string Format(std::string_view timestamp, std::string_view level, std::string_view service,
                   std::string_view message, const nlohmann::json& fields);

// A fresh random request id: 32 lowercase hex characters.
std::string NewRequestId();
// A request id accepted from outside: 1..64 characters of [A-Za-z0-9._-].
bool IsValidRequestId(std::string_view id);

}  // namespace storefront::log

#include "shared/config/env.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace storefront::config {

Env::Env()
    : Env([](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      }) {}

Env::Env(Lookup lookup) : lookup_(std::move(lookup)) {}

Env Env::FromMap(std::map<std::string, std::string> values) {
  return Env([values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

std::optional<std::string> Env::Get(const std::string& name) const {
  auto value = lookup_(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string Env::Required(const std::string& name, const std::string& what) {
  auto value = Get(name);
  if (!value) {
    errors_.push_back(name + " is required: " + what);
    return {};
  }
  return *value;
}

std::string Env::String(const std::string& name, const std::string& fallback) {
  return Get(name).value_or(fallback);
}

std::int64_t Env::Int(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto value = Get(name);
  if (!value) return fallback;
  std::int64_t parsed = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, parsed);
  if (ec != std::errc() || ptr != end) {
    errors_.push_back(name + " must be an integer, got '" + *value + "'");
    return fallback;
  }
  if (parsed < min || parsed > max) {
    errors_.push_back(name + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + *value);
    return fallback;
  }
  return parsed;
}

std::optional<std::pair<std::string, int>> SplitHostPort(const std::string& value) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) return std::nullopt;
  std::string host = value.substr(0, colon);
  int port = 0;
  const char* begin = value.data() + colon + 1;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || ptr != end || port < 0 || port > 65535) return std::nullopt;
  return std::make_pair(host, port);
}

std::string Env::HostPort(const std::string& name, const std::string& fallback, bool allow_zero_port) {
  std::string value = String(name, fallback);
  auto parts = SplitHostPort(value);
  if (!parts || (parts->second == 0 && !allow_zero_port)) {
    errors_.push_back(name + " must be host:port with a port in 1..65535, got '" + value + "'");
    return fallback;
  }
  return value;
}

std::string Env::HostPortList(const std::string& name, const std::string& fallback) {
  std::string value = String(name, fallback);
  if (value.empty()) return value;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = value.find(',', start);
    auto parts = SplitHostPort(value.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!parts || parts->second == 0) {
      errors_.push_back(name + " must be host:port[,host:port...] with ports in 1..65535, got '" +
                        value.substr(0, 200) + "'");
      return fallback;
    }
    if (end == std::string::npos) return value;
    start = end + 1;
  }
}

std::string Env::Identifier(const std::string& name, const std::string& fallback, std::size_t max_length) {
  std::string value = String(name, fallback);
  const bool shaped = !value.empty() && value.size() <= max_length &&
                      std::all_of(value.begin(), value.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                      });
  if (shaped) return value;
  errors_.push_back(name + " must be 1 to " + std::to_string(max_length) +
                    " characters of A-Z, a-z, 0-9, '.', '_' and '-', got '" + value.substr(0, 64) + "'");
  return fallback;
}

std::string Env::OneOf(const std::string& name, const std::string& fallback,
                       const std::vector<std::string>& allowed) {
  std::string value = String(name, fallback);
  for (const auto& candidate : allowed) {
    if (candidate == value) return value;
  }
  std::string list;
  for (const auto& candidate : allowed) list += (list.empty() ? "" : ", ") + candidate;
  errors_.push_back(name + " must be one of " + list + ", got '" + value + "'");
  return fallback;
}

void Env::Validate() const {
  if (errors_.empty()) return;
  std::string message = "invalid configuration:";
  for (const auto& error : errors_) message += "\n  - " + error;
  throw ConfigError(message);
}

}  // namespace storefront::config

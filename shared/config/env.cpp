#include "shared/config/env.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <set>

namespace storefront::config {
namespace {

enum class IpFamily { kNone, kV4, kV6 };

// The family of an IP literal host ("10.1.2.3", "[::1]"); kNone for anything else (a name).
IpFamily FamilyOf(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    const std::string inner = host.substr(1, host.size() - 2);
    return inet_pton(AF_INET6, inner.c_str(), address) == 1 ? IpFamily::kV6 : IpFamily::kNone;
  }
  return inet_pton(AF_INET, host.c_str(), address) == 1 ? IpFamily::kV4 : IpFamily::kNone;
}

bool IsHostName(const std::string& host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

std::vector<std::string> SplitCommas(const std::string& value) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = value.find(',', start);
    parts.push_back(value.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// The host of "host:port" when the port is 1..65535 and the host a name or an IP literal.
std::optional<std::string> HostOf(const std::string& part) {
  auto split = SplitHostPort(part);
  if (!split || split->second == 0) return std::nullopt;
  if (FamilyOf(split->first) == IpFamily::kNone && !IsHostName(split->first)) return std::nullopt;
  return split->first;
}

std::string NotHostPort(const std::string& part) {
  return "'" + part.substr(0, 100) + "' is not host:port with a port in 1..65535";
}

// A list of IP literals, all of `family` when it is given, else all of the first one's.
std::optional<std::string> IpListProblem(const std::string& list, std::optional<IpFamily> family) {
  std::set<std::string> seen;
  for (const auto& part : SplitCommas(list)) {
    auto host = HostOf(part);
    if (!host) return NotHostPort(part);
    const IpFamily found = FamilyOf(*host);
    if (found == IpFamily::kNone) {
      return "it lists the host name in '" + part + "', and a list may hold IP addresses only; for every " +
             "address of one name (a headless Service, a scaled compose service) write dns:///" + part;
    }
    if (!family) family = found;
    if (found != *family) {
      return std::string("'") + part + "' is not an " + (*family == IpFamily::kV4 ? "IPv4" : "IPv6") +
             " address like the others: gRPC takes one family per list";
    }
    if (!seen.insert(part).second) return "it lists '" + part + "' twice";
  }
  return std::nullopt;
}

}  // namespace

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

std::optional<std::string> GrpcTargetProblem(const std::string& value) {
  if (value.empty()) return "it is empty";
  if (value.rfind("dns:", 0) == 0) {
    if (value.rfind("dns:///", 0) != 0) return "write dns:///host:port (no DNS server between the slashes)";
    const std::string part = value.substr(7);
    if (!HostOf(part)) return NotHostPort(part);
    return std::nullopt;
  }
  if (value.rfind("ipv4:", 0) == 0) return IpListProblem(value.substr(5), IpFamily::kV4);
  if (value.rfind("ipv6:", 0) == 0) return IpListProblem(value.substr(5), IpFamily::kV6);
  if (value.find("://") != std::string::npos) return "its scheme is not dns:///, ipv4: or ipv6:";
  if (value.find(',') != std::string::npos) return IpListProblem(value, std::nullopt);
  if (!HostOf(value)) return NotHostPort(value);
  return std::nullopt;
}

std::string Env::GrpcTarget(const std::string& name, const std::string& fallback) {
  std::string value = String(name, fallback);
  if (auto problem = GrpcTargetProblem(value)) {
    errors_.push_back(name +
                      " must be host:port, ip:port[,ip:port...], dns:///host:port, ipv4:ip:port[,...] or "
                      "ipv6:[ip]:port[,...], got '" +
                      value.substr(0, 200) + "': " + *problem);
    return fallback;
  }
  return value;
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

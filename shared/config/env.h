// Twelve-factor configuration: every setting comes from an environment variable.
//
// Env reads variables through a lookup function (the real environment by default, a map
// in tests), records every problem instead of stopping at the first, and Validate() throws
// one ConfigError naming them all, so a misconfigured process says everything that is
// wrong at start-up, before it opens a socket.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace storefront::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Env {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;

  // Reads the process environment.
  Env();
  explicit Env(Lookup lookup);
  // Reads from a fixed map; for tests.
  static Env FromMap(std::map<std::string, std::string> values);

  // A required string; records an error when missing or empty.
  std::string Required(const std::string& name, const std::string& what);
  std::string String(const std::string& name, const std::string& fallback);
  // An integer in [min, max]; records an error when malformed or out of range.
  std::int64_t Int(const std::string& name, std::int64_t fallback, std::int64_t min, std::int64_t max);
  // "host:port" with a port in 1..65535 (port 0 allowed when allow_zero_port).
  std::string HostPort(const std::string& name, const std::string& fallback, bool allow_zero_port = false);
  // "host:port[,host:port...]" (a Kafka bootstrap list), every port in 1..65535. Unset or empty
  // gives `fallback`; an empty fallback makes the setting optional (returns "").
  std::string HostPortList(const std::string& name, const std::string& fallback);
  // Where a gRPC client finds every replica of its upstream (GrpcTargetProblem below says what
  // is accepted); rpc::ChannelTarget turns the value into the channel's target.
  std::string GrpcTarget(const std::string& name, const std::string& fallback);
  // 1..max_length characters of A-Z, a-z, 0-9, '.', '_' and '-' (a Kafka client or group name).
  std::string Identifier(const std::string& name, const std::string& fallback, std::size_t max_length);
  // One of the allowed values (case-sensitive).
  std::string OneOf(const std::string& name, const std::string& fallback,
                    const std::vector<std::string>& allowed);

  // Records a problem no single setting shows (two settings that contradict each other).
  void Problem(std::string message) { errors_.push_back(std::move(message)); }

  const std::vector<std::string>& errors() const { return errors_; }
  // Throws ConfigError listing every recorded problem, if any.
  void Validate() const;

 private:
  std::optional<std::string> Get(const std::string& name) const;

  Lookup lookup_;
  std::vector<std::string> errors_;
};

// Splits "host:port"; returns nullopt when it is not of that form.
std::optional<std::pair<std::string, int>> SplitHostPort(const std::string& value);

// Why `value` is not a gRPC target setting, or nullopt when it is one. Accepted:
//   host:port                         one name (gRPC's dns resolver uses every address it has: a
//                                     Kubernetes headless Service or a scaled compose service) or one IP
//   ip:port,ip:port,...               IP literals of one family ([::1]:port for IPv6): fixed replicas
//   dns:///host:port                  the same as host:port, with the resolver written out
//   ipv4:ip:port,...  ipv6:[ip]:port,...   gRPC's own URIs for fixed addresses
// Ports are 1..65535. A list of host names is refused: gRPC cannot resolve several names for one
// channel, and the message says to use dns:/// with one name that resolves to every replica.
std::optional<std::string> GrpcTargetProblem(const std::string& value);

}  // namespace storefront::config

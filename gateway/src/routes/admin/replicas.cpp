#include "routes/admin/replicas.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <sstream>

namespace storefront::gateway::routes::admin {
namespace {

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

// "host:port" / "[v6]:port" -> every address of host, or why not.
void Resolve(const std::string& host_port, ResolvedReplicas& out) {
  auto fail = [&](std::string error) { out.unresolved.push_back({host_port, std::move(error)}); };
  std::string host, port;
  if (!host_port.empty() && host_port.front() == '[') {
    auto close = host_port.find("]:");
    if (close == std::string::npos) {
      fail("'" + host_port + "': not [address]:port");
      return;
    }
    host = host_port.substr(1, close - 1);
    port = host_port.substr(close + 2);
  } else {
    auto colon = host_port.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      fail("'" + host_port + "': not host:port");
      return;
    }
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int error = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); error != 0) {
    fail(host + ": " + ::gai_strerror(error));
    return;
  }
  for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    std::string address;
    if (at->ai_family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(at->ai_addr)->sin_addr, text, sizeof text);
      address = std::string(text) + ":" + port;
    } else if (at->ai_family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(at->ai_addr)->sin6_addr, text, sizeof text);
      address = "[" + std::string(text) + "]:" + port;
    } else {
      continue;
    }
    if (std::find(out.addresses.begin(), out.addresses.end(), address) == out.addresses.end()) {
      out.addresses.push_back(std::move(address));
    }
  }
  ::freeaddrinfo(found);
}

}  // namespace

ResolvedReplicas ResolveReplicas(const std::string& setting) {
  ResolvedReplicas out;
  std::string rest = setting;
  if (rest.rfind("ipv4:", 0) == 0 || rest.rfind("ipv6:", 0) == 0) {
    rest = rest.substr(5);
  } else if (rest.rfind("dns:", 0) == 0) {
    rest = rest.substr(4);
    // dns:///name:port, or dns://authority/name:port (the authority is a DNS server; ours is
    // the system's).
    if (rest.rfind("//", 0) == 0) {
      auto slash = rest.find('/', 2);
      rest = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    }
  }
  const auto entries = Split(rest, ',');
  if (entries.empty()) out.unresolved.push_back({setting, "'" + setting + "': no address in it"});
  for (const auto& entry : entries) Resolve(entry, out);
  return out;
}

std::string DescribeFailure(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "no answer within " + std::to_string(kOpsTimeout.count()) + " ms";
    case grpc::StatusCode::UNAVAILABLE:
      return "unreachable: " + status.error_message();
    case grpc::StatusCode::UNIMPLEMENTED:
      return "it serves no ops service (built before the fault lab?)";
    default:
      return status.error_message();
  }
}

const ServiceAddress* Replicas::Find(std::string_view name) const {
  for (const auto& service : services_) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

std::shared_ptr<grpc::Channel> Replicas::Channel(const std::string& service, const std::string& address) {
  std::lock_guard lock(mutex_);
  auto& channel = channels_[address];
  // One address per channel: gRPC's URI for a literal, so it never resolves (or balances) again.
  if (!channel) channel = rpc::MakeChannel((address.front() == '[' ? "ipv6:" : "ipv4:") + address, {}, {tls_, service});
  return channel;
}

}  // namespace storefront::gateway::routes::admin

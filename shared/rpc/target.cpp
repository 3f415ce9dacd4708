#include "shared/rpc/target.h"

#include "shared/config/env.h"

namespace storefront::rpc {

std::string ChannelTarget(const std::string& setting) {
  if (auto problem = config::GrpcTargetProblem(setting)) {
    throw config::ConfigError("not a gRPC target: '" + setting + "': " + *problem);
  }
  // A plain list is IP literals of one family (checked above); gRPC names the family in the URI.
  const bool plain_list = setting.find(',') != std::string::npos && setting.rfind("ipv4:", 0) != 0 &&
                          setting.rfind("ipv6:", 0) != 0;
  if (!plain_list) return setting;
  return (setting.front() == '[' ? "ipv6:" : "ipv4:") + setting;
}

}  // namespace storefront::rpc

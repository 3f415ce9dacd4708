// The gRPC target of an upstream address setting (config::Env::GrpcTarget): how a client's
// channel finds every replica of the service it calls.
//
//   "127.0.0.1:50051,127.0.0.1:50061"  ->  "ipv4:127.0.0.1:50051,127.0.0.1:50061"   (fixed replicas)
//   "[::1]:50051,[::1]:50061"           ->  "ipv6:[::1]:50051,[::1]:50061"
//   "catalog:50051", "dns:///catalog:50051", "ipv4:...", "ipv6:..."   unchanged
//
// A single host:port stays as it is: gRPC's default resolver is dns, which hands the channel every
// address of the name (each pod behind a Kubernetes headless Service, each container of a scaled
// compose service), and MakeChannel's round_robin spreads calls over all of them.
#pragma once

#include <string>

namespace storefront::rpc {

// Throws config::ConfigError for a value GrpcTargetProblem refuses (Env has reported it already
// when the value came from the environment).
std::string ChannelTarget(const std::string& setting);

}  // namespace storefront::rpc

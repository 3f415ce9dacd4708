// storefront-grpc-health ADDRESS [SERVICE]: exit 0 when the gRPC server at ADDRESS reports
// SERVING through the standard health service, 1 otherwise. For scripts and healthchecks.
#include <cstdio>
#include <string>

#include "shared/rpc/client.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s HOST:PORT [SERVICE]\n", argv[0]);
    return 2;
  }
  auto channel = storefront::rpc::MakeChannel(argv[1]);
  bool serving = storefront::rpc::CheckHealth(*channel, std::chrono::seconds(2), argc == 3 ? argv[2] : "");
  std::printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
  return serving ? 0 : 1;
}

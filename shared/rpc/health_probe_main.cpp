// storefront-grpc-health ADDRESS [SERVICE]: exit 0 when the gRPC server at ADDRESS reports
// SERVING through the standard health service, 1 otherwise (2 for a usage or settings problem).
// For scripts and healthchecks.
//
// It reads TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE (or GRPC_PLAINTEXT=on) as a service does:
// run beside a service with the service's own settings (its container, the local stack), it
// connects with that service's certificate and expects the server's to name the same process.
#include <cstdio>
#include <string>

#include "shared/config/env.h"
#include "shared/rpc/client.h"

int main(int argc, char** argv) {
  namespace rpc = storefront::rpc;
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s HOST:PORT [SERVICE]\n", argv[0]);
    return 2;
  }
  std::shared_ptr<const rpc::Tls> tls;
  try {
    storefront::config::Env env;
    auto settings = storefront::config::ReadTlsSettings(env);
    env.Validate();
    tls = rpc::Tls::Load(settings);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", argv[0], error.what());
    return 2;
  }
  auto channel = rpc::MakeChannel(argv[1], {}, {tls, tls ? tls->name() : ""});
  bool serving = rpc::CheckHealth(*channel, std::chrono::seconds(2), argc == 3 ? argv[2] : "");
  std::printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
  return serving ? 0 : 1;
}

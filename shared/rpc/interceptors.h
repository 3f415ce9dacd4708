// Server-side interceptors: cross-cutting behaviour set up once for every RPC of every
// service, never pasted into handlers.
#pragma once

#include <grpcpp/support/server_interceptor.h>

namespace storefront::rpc {

// Logs one structured line per finished RPC: method, status code, duration, request id.
class LoggingInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace storefront::rpc

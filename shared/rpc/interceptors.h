// Interceptors: cross-cutting behaviour set up once for every RPC of every service and every
// client channel, never pasted into handlers or call sites.
//
// Server side (rpc::Server installs it): one structured log line per finished call; the
// grpc_server_* figures (calls by method and status code, duration histogram); and the call's
// server span, a child of the caller's `traceparent` metadata (or the root of a new trace),
// which rpc::Handle makes current while the handler runs.
//
// Client side (rpc::MakeChannel installs it): the grpc_client_* figures and a client span per
// call, a child of the context current on the thread that starts the call; its `traceparent`
// goes out in the call's metadata. Retries happen below interceptors, so a call retried by gRPC
// is one span and one figure.
//
// Health checks are polled constantly and are left out of all of it.
#pragma once

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <optional>

#include "shared/trace/context.h"

namespace storefront::rpc {

class ServerObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

class ClientObserverFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override;
};

// The server span of the call `context` while it is in flight (what rpc::Handle makes current);
// nullopt for calls the observer leaves alone.
std::optional<trace::SpanContext> ServerSpanOf(const grpc::ServerContextBase* context);

}  // namespace storefront::rpc

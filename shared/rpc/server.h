// gRPC server bootstrap shared by every service: mutual TLS and the callers each method allows
// (tls.h), the standard health service, server reflection when asked for, the observer (a log
// line, figures and a span per call: interceptors.h), the ops service (the fault lab and
// resilience state, ops_service.h), and a graceful shutdown on SIGTERM or SIGINT.
//
//   storefront::rpc::TerminationSignals signals;   // first thing in main()
//   storefront::rpc::Server server({.listen_address = cfg.grpc_address, .tls = tls,
//                                   .callers = {{"gateway", "storefront.catalog.v1.CatalogService", {"*"}}}});
//   server.AddService(&catalog_api);
//   server.Start();
//   server.ServeUntil(signals);                     // health NOT_SERVING, drain, stop
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "shared/rpc/tls.h"

namespace storefront::rpc {

class Ops;  // ops_service.h: the fault lab and resilience state every server serves

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts later, so
// the signals can be taken synchronously with Wait() instead of in a signal handler.
// Construct it in main() before any thread exists.
class TerminationSignals {
 public:
  TerminationSignals();
  // Returns the signal number received.
  int Wait();

 private:
  sigset_t set_;
};

struct ServerOptions {
  std::string listen_address = "127.0.0.1:0";
  // This process's identity. With it, only callers with a certificate of the CA connect, and each
  // may call only what `callers` grants it (plus health checks, and the fault lab for the
  // gateway: CallerAuthorization). Null: plaintext and no authorization (a test's own server).
  std::shared_ptr<const Tls> tls = nullptr;
  std::vector<Grant> callers = {};
  // Server reflection (GRPC_REFLECTION=on), for grpcurl and the like; off unless asked for.
  bool reflection = false;
  // How long in-flight RPCs may take to finish after a shutdown starts.
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10);
  // Largest request message accepted, in bytes.
  int max_receive_message_bytes = 4 * 1024 * 1024;
  // Clients balance calls over the addresses their resolver last gave them, and gRPC's dns
  // resolver asks again only when a connection closes: ending every connection after this long
  // (calls in flight get the grace to finish) lets clients find replicas added since.
  std::chrono::milliseconds max_connection_age = std::chrono::minutes(5);
  std::chrono::milliseconds max_connection_age_grace = std::chrono::seconds(30);
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  // Registers a service; it must outlive the server.
  void AddService(grpc::Service* service);
  // Binds and starts; returns the bound port (useful when the address asks for port 0).
  int Start();
  // Marks every service NOT_SERVING, lets in-flight calls finish within the grace
  // period, then cancels the rest. Idempotent.
  void Shutdown();
  // Waits for a termination signal, then shuts down.
  void ServeUntil(TerminationSignals& signals);
  // Blocks until the server has shut down.
  void Wait();

  int port() const { return port_; }

 private:
  ServerOptions options_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<Ops> ops_;  // outlives server_: its interceptors and service use it
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

// The request id the caller sent in `x-request-id` metadata, or a fresh one.
std::string RequestId(const grpc::ServerContext& context);

}  // namespace storefront::rpc

#include "shared/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <stdexcept>

#include "shared/log/log.h"
#include "shared/rpc/interceptors.h"
#include "shared/rpc/ops_service.h"

namespace storefront::rpc {
namespace {

// Server reflection on one builder or off. Linking gRPC's reflection library registers its plugin
// for every server the process builds (a static initializer), so this option takes that plugin
// out of the builder's list and, when asked for, puts exactly one back.
class ReflectionOption : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool on) : on_(on) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    const std::string name = grpc::reflection::ProtoServerReflectionPlugin().name();
    std::erase_if(*plugins, [&](const auto& plugin) { return plugin->name() == name; });
    if (on_) plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  bool on_;
};

}  // namespace

TerminationSignals::TerminationSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int TerminationSignals::Wait() {
  int signal = 0;
  sigwait(&set_, &signal);
  return signal;
}

Server::Server(ServerOptions options) : options_(std::move(options)), ops_(std::make_unique<Ops>()) {}

Server::~Server() { Shutdown(); }

void Server::AddService(grpc::Service* service) { services_.push_back(service); }

int Server::Start() {
  grpc::EnableDefaultHealthCheckService(true);

  grpc::ServerBuilder builder;
  if (options_.tls) {
    auto credentials = options_.tls->ServerCredentials();
    credentials->SetAuthMetadataProcessor(std::make_shared<CallerAuthorization>(options_.callers, options_.reflection));
    builder.AddListeningPort(options_.listen_address, credentials, &port_);
  } else {
    builder.AddListeningPort(options_.listen_address, grpc::InsecureServerCredentials(), &port_);
  }
  builder.SetOption(std::make_unique<ReflectionOption>(options_.reflection));
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  // gRPC sets SO_REUSEPORT by default, which lets a second process silently share the port
  // (and half the traffic); a service must fail to start instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Connections end after an age, so clients re-resolve (ServerOptions::max_connection_age).
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, static_cast<int>(options_.max_connection_age.count()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(options_.max_connection_age_grace.count()));
  // The synchronous server's threads: gRPC starts one when every thread is busy and ends one
  // when more than MAX_POLLERS wait for work. Its default (1 to 2) makes a service under a few
  // concurrent calls start and end threads all the time (their stacks mapped and unmapped, a
  // context switch for each); keeping up to eight waiting costs their stacks, not CPU.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 8);
  for (auto* service : services_) builder.RegisterService(service);
  // Every server answers the operator's fault lab and resilience questions (ops_service.h).
  builder.RegisterService(ops_->service());
  builder.SetOption(ops_->ServiceListOption());

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ServerObserverFactory>());
  interceptors.push_back(ops_->NewInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    throw std::runtime_error("gRPC server could not listen on " + options_.listen_address);
  }
  server_->GetHealthCheckService()->SetServingStatus(true);
  log::Info("grpc server listening", {{"address", options_.listen_address},
                                      {"port", port_},
                                      {"tls", options_.tls ? Principal(options_.tls->name()) : "off (plaintext)"},
                                      {"reflection", options_.reflection}});
  return port_;
}

void Server::Shutdown() {
  if (!server_ || shut_down_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  log::Info("grpc server shutting down", {{"grace_ms", options_.shutdown_grace.count()}});
  server_->Shutdown(std::chrono::system_clock::now() + options_.shutdown_grace);
  server_->Wait();
  log::Info("grpc server stopped");
}

void Server::ServeUntil(TerminationSignals& signals) {
  int signal = signals.Wait();
  log::Info("termination signal received", {{"signal", signal}});
  Shutdown();
}

void Server::Wait() {
  if (server_) server_->Wait();
}

std::string RequestId(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("x-request-id");
  if (it != metadata.end()) {
    std::string id(it->second.data(), it->second.size());
    if (log::IsValidRequestId(id)) return id;
  }
  return log::NewRequestId();
}

}  // namespace storefront::rpc

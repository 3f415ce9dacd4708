#include "shared/rpc/ops_service.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/impl/server_initializer.h>

#include <optional>

#include "shared/log/log.h"
#include "shared/rpc/guard.h"
#include "shared/rpc/server.h"
#include "shared/rpc/status.h"

namespace storefront::rpc {
namespace {

namespace opspb = storefront::ops::v1;
using grpc::experimental::InterceptionHookPoints;

// "/storefront.payments.v1.PaymentsService/Authorize" -> the service, the method.
std::pair<std::string_view, std::string_view> SplitMethod(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  auto slash = path.find('/');
  if (slash == std::string_view::npos) return {path, {}};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

void ToProto(const faults::Fault& fault, opspb::Fault* out) {
  out->set_method(fault.method);
  out->set_latency_ms(fault.latency_ms);
  out->set_error_percent(fault.error_percent);
  out->set_abort_percent(fault.abort_percent);
  out->set_set_by(fault.set_by);
  out->mutable_set_at()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(fault.set_at.time_since_epoch()).count());
}

opspb::BreakerState ToProto(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return opspb::BREAKER_STATE_CLOSED;
    case BreakerState::kOpen: return opspb::BREAKER_STATE_OPEN;
    case BreakerState::kHalfOpen: return opspb::BREAKER_STATE_HALF_OPEN;
  }
  return opspb::BREAKER_STATE_UNSPECIFIED;
}

// Learns the names of the services a server registered when gRPC builds it.
class ServiceListPlugin : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceListPlugin(OpsService& ops) : ops_(ops) {}
  std::string name() override { return "storefront_ops_service_list"; }
  // Runs after the server registered the builder's services and before it serves any call.
  void InitServer(grpc::ServerInitializer* initializer) override { ops_.SetServices(*initializer->GetServiceList()); }
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}

 private:
  OpsService& ops_;
};

class ServiceListCapture : public grpc::ServerBuilderOption {
 public:
  explicit ServiceListCapture(OpsService& ops) : ops_(ops) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<ServiceListPlugin>(ops_));
  }

 private:
  OpsService& ops_;
};

class OpsInterceptor : public grpc::experimental::Interceptor {
 public:
  OpsInterceptor(grpc::experimental::ServerRpcInfo* info, std::string method, const faults::FaultTable& faults,
                 RetryCounts& retries)
      : context_(info->server_context()), method_(std::move(method)), faults_(faults), retries_(retries) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata->find("grpc-previous-rpc-attempts") != metadata->end()) retries_.Count(method_);
      if (!faults_.empty()) {
        auto fate = faults_.DrawFor(method_);
        if (fate.any()) filed_.emplace(context_, fate);
      }
    }
    methods->Proceed();
  }

 private:
  const grpc::ServerContextBase* context_;
  std::string method_;
  const faults::FaultTable& faults_;
  RetryCounts& retries_;
  std::optional<faults::FiledFate> filed_;  // until the call ends (the interceptor's lifetime)
};

class OpsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  OpsInterceptorFactory(const faults::FaultTable& faults, RetryCounts& retries) : faults_(faults), retries_(retries) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    auto [service, method] = SplitMethod(info->method());
    if (IsExemptService(service)) return nullptr;
    return new OpsInterceptor(info, std::string(method), faults_, retries_);
  }

 private:
  const faults::FaultTable& faults_;
  RetryCounts& retries_;
};

}  // namespace

void RetryCounts::Count(std::string_view method) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(method);
  if (it == counts_.end()) it = counts_.emplace(std::string(method), 0).first;
  ++it->second;
}

std::vector<std::pair<std::string, std::int64_t>> RetryCounts::List() const {
  std::lock_guard lock(mutex_);
  return {counts_.begin(), counts_.end()};
}

bool IsExemptService(std::string_view name) {
  return name == "grpc.health.v1.Health" || name.rfind("grpc.reflection.", 0) == 0 ||
         name == opspb::OpsService::service_full_name();
}

void OpsService::SetServices(const std::vector<std::string>& full_names) {
  services_.clear();
  methods_.clear();
  for (const auto& name : full_names) {
    if (IsExemptService(name)) continue;
    services_.push_back(name);
    const auto* descriptor = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (descriptor == nullptr) {
      log::Warn("fault lab: no descriptor for a registered service; its methods cannot have faults",
                {{"grpc_service", name}});
      continue;
    }
    for (int i = 0; i < descriptor->method_count(); ++i) methods_.insert(descriptor->method(i)->name());
  }
}

grpc::Status OpsService::SetFault(grpc::ServerContext* context, const opspb::SetFaultRequest* request,
                                  opspb::Fault* response) {
  return Handle(context, [&] {
    faults::Fault fault{.method = request->method(),
                        .latency_ms = request->latency_ms(),
                        .error_percent = request->error_percent(),
                        .abort_percent = request->abort_percent(),
                        .set_by = request->set_by(),
                        // Whole seconds: as the operator pages show times.
                        .set_at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    faults::Validate(fault, methods_);
    faults_.Set(fault);
    log::Warn("fault lab: fault switched on", {{"method", fault.method},
                                               {"services", services_},
                                               {"latency_ms", fault.latency_ms},
                                               {"error_percent", fault.error_percent},
                                               {"abort_percent", fault.abort_percent},
                                               {"set_by", fault.set_by},
                                               {"request_id", RequestId(*context)}});
    ToProto(fault, response);
  });
}

grpc::Status OpsService::ClearFaults(grpc::ServerContext* context, const opspb::ClearFaultsRequest* request,
                                     opspb::ClearFaultsResponse* response) {
  return Handle(context, [&] {
    Violations violations;
    if (!request->method().empty()) faults::ValidateMethod(request->method(), methods_, violations);
    if (request->cleared_by().empty() || request->cleared_by().size() > 254) {
      violations.Add("cleared_by", "must name who switches the faults off, 1 to 254 characters");
    }
    violations.ThrowIfAny();
    int cleared = faults_.Clear(request->method());
    log::Info("fault lab: faults switched off", {{"method", request->method().empty() ? "(all)" : request->method()},
                                                 {"services", services_},
                                                 {"cleared", cleared},
                                                 {"cleared_by", request->cleared_by()},
                                                 {"request_id", RequestId(*context)}});
    response->set_cleared(cleared);
  });
}

grpc::Status OpsService::ListFaults(grpc::ServerContext* context, const opspb::ListFaultsRequest*,
                                    opspb::ListFaultsResponse* response) {
  return Handle(context, [&] {
    for (const auto& fault : faults_.List()) ToProto(fault, response->add_faults());
  });
}

grpc::Status OpsService::GetResilience(grpc::ServerContext* context, const opspb::GetResilienceRequest*,
                                       opspb::GetResilienceResponse* response) {
  return Handle(context, [&] {
    for (const auto& guard : SnapshotGuards()) {
      auto* out = response->add_guards();
      out->set_upstream(guard.upstream);
      auto* breaker = out->mutable_breaker();
      breaker->set_state(ToProto(guard.breaker.state));
      breaker->set_calls(guard.breaker.calls);
      breaker->set_failures(guard.breaker.failures);
      breaker->set_rejected(guard.breaker.rejected);
      breaker->set_opened(guard.breaker.opened);
      breaker->set_retry_after_ms(guard.breaker.retry_after.count());
      auto* bulkhead = out->mutable_bulkhead();
      bulkhead->set_in_flight(guard.in_flight);
      bulkhead->set_limit(guard.limit);
      bulkhead->set_rejected(guard.bulkhead_rejected);
    }
    for (const auto& [method, count] : retries_.List()) {
      auto* out = response->add_retries();
      out->set_method(method);
      out->set_retried_attempts(count);
    }
    for (const auto& fault : faults_.List()) ToProto(fault, response->add_faults());
  });
}

Ops::Ops(faults::PercentRoll roll) : faults_(std::move(roll)), service_(faults_, retries_) {}

std::unique_ptr<grpc::ServerBuilderOption> Ops::ServiceListOption() {
  return std::make_unique<ServiceListCapture>(service_);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Ops::NewInterceptorFactory() {
  return std::make_unique<OpsInterceptorFactory>(faults_, retries_);
}

}  // namespace storefront::rpc

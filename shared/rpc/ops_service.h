// What rpc::Server adds to every process for its operators: the ops service
// (storefront.ops.v1.OpsService: the fault lab's switches and the process's resilience state)
// and the interceptor that feeds it, so no service wires either by hand.
//
//   Ops ops;                                   // one per rpc::Server
//   builder.RegisterService(ops.service());
//   builder.SetOption(ops.ServiceListOption());  // learns which methods faults may name
//   interceptors.push_back(ops.NewInterceptorFactory());
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/support/server_interceptor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/rpc/faults.h"
#include "storefront/ops/v1/ops.grpc.pb.h"

namespace storefront::rpc {

// Attempts received per method that gRPC marked as retries (`grpc-previous-rpc-attempts`).
class RetryCounts {
 public:
  void Count(std::string_view method);
  std::vector<std::pair<std::string, std::int64_t>> List() const;  // by method

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t, std::less<>> counts_;
};

// Services the fault lab leaves alone and the interceptor does not look at: health checks, server
// reflection and the ops service itself (a fault there would lock the operator out of the lab).
bool IsExemptService(std::string_view full_service_name);

// The ops service of one server. Handlers validate their request (INVALID_ARGUMENT naming the
// field) and log every change with who made it and the request id.
class OpsService final : public storefront::ops::v1::OpsService::Service {
 public:
  OpsService(faults::FaultTable& faults, RetryCounts& retries) : faults_(faults), retries_(retries) {}

  // The full names of the services the server registered; what a fault's method is checked
  // against (their methods, from the generated descriptors). Set once, before calls arrive.
  void SetServices(const std::vector<std::string>& full_names);
  const std::set<std::string>& methods() const { return methods_; }

  grpc::Status SetFault(grpc::ServerContext* context, const storefront::ops::v1::SetFaultRequest* request,
                        storefront::ops::v1::Fault* response) override;
  grpc::Status ClearFaults(grpc::ServerContext* context, const storefront::ops::v1::ClearFaultsRequest* request,
                           storefront::ops::v1::ClearFaultsResponse* response) override;
  grpc::Status ListFaults(grpc::ServerContext* context, const storefront::ops::v1::ListFaultsRequest* request,
                          storefront::ops::v1::ListFaultsResponse* response) override;
  grpc::Status GetResilience(grpc::ServerContext* context, const storefront::ops::v1::GetResilienceRequest* request,
                             storefront::ops::v1::GetResilienceResponse* response) override;

 private:
  faults::FaultTable& faults_;
  RetryCounts& retries_;
  std::vector<std::string> services_;
  std::set<std::string> methods_;
};

// One server's fault table, retry counts and ops service, and the server hooks that use them.
class Ops {
 public:
  explicit Ops(faults::PercentRoll roll = faults::RandomPercentRoll);

  grpc::Service* service() { return &service_; }
  // For ServerBuilder::SetOption: hands the ops service the names of the services registered
  // (gRPC lists them to server plugins, the way reflection learns them).
  std::unique_ptr<grpc::ServerBuilderOption> ServiceListOption();
  // Per call of a non-exempt service: counts a retried attempt, and files the call's fate when a
  // fault applies to its method.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

 private:
  faults::FaultTable faults_;
  RetryCounts retries_;
  OpsService service_;
};

}  // namespace storefront::rpc

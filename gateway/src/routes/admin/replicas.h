// Every replica of every service, for the operator calls that must reach each process rather than
// the one a round_robin channel picks: the fault lab's switches (a fault set on one replica of
// two would fail half the calls, and look like a flaky lab) and the resilience page (each replica
// has its own breakers). They go to the ops service every rpc::Server serves.
//
// A service's address setting names its replicas the way its clients' channels find them
// (config::Env::GrpcTarget): a list of IP addresses, or one name that resolves to each replica
// (a Kubernetes headless Service, a scaled compose service). Names are resolved again for every
// request, so a replica that came or went since is counted.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/blocking_pool.h"
#include "shared/rpc/client.h"
#include "storefront/ops/v1/ops.grpc.pb.h"

namespace storefront::gateway::routes::admin {

// How long one replica's ops service has to answer.
inline constexpr auto kOpsTimeout = std::chrono::milliseconds(2000);

struct ServiceAddress {
  std::string name;     // "payments"
  std::string setting;  // "127.0.0.1:50054", "127.0.0.1:50054,127.0.0.1:50064", "dns:///payments:50054"
};

struct ResolvedReplicas {
  std::vector<std::string> addresses;  // "10.0.0.7:50054", "[fd00::7]:50054"
  struct Unresolved {
    std::string entry;  // the part of the setting ("payments:50054")
    std::string error;
  };
  std::vector<Unresolved> unresolved;
};

// The address of each replica `setting` names: IP literals as they are ("ipv4:" / "ipv6:"
// lists too), names (plain or dns:///) through getaddrinfo, which blocks. Duplicates removed.
ResolvedReplicas ResolveReplicas(const std::string& setting);

// How a failed ops call reads on the operator's pages: "no answer within 2000 ms",
// "unreachable: ...".
std::string DescribeFailure(const grpc::Status& status);

// The services the gateway knows and a channel to each replica address seen, kept for reuse.
class Replicas {
 public:
  // With `tls`, each channel presents the gateway's certificate and expects the replica's to name
  // its service; null: plaintext (tests).
  explicit Replicas(std::vector<ServiceAddress> services, std::shared_ptr<const rpc::Tls> tls = nullptr)
      : services_(std::move(services)), tls_(std::move(tls)) {}

  const std::vector<ServiceAddress>& services() const { return services_; }
  const ServiceAddress* Find(std::string_view name) const;
  // A channel to one replica (`address`) of `service`; thread-safe.
  std::shared_ptr<grpc::Channel> Channel(const std::string& service, const std::string& address);

 private:
  std::vector<ServiceAddress> services_;
  std::shared_ptr<const rpc::Tls> tls_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

// One replica's answer to an ops call.
template <typename Response>
struct ReplicaAnswer {
  std::string service;
  std::string replica;  // its address, or the entry of the setting that could not be resolved
  grpc::Status status;
  Response response;
};

// The stub call of an ops method, as AskEveryReplica wants it:
//   STOREFRONT_OPS_CALL(SetFault)
#define STOREFRONT_OPS_CALL(method)                                                                        \
  [](storefront::ops::v1::OpsService::Stub& stub, grpc::ClientContext* context, const auto* request,     \
     auto* response, std::function<void(grpc::Status)> done) {                                          \
    stub.async()->method(context, request, response, std::move(done));                                   \
  }

// Sends `request` to the ops service of every replica of `services` (kOpsTimeout each) and calls
// done(answers) once every replica has answered or failed, in the order of `services`. Runs on
// `workers` (names are resolved there); false when the pool refused the work (answer 503).
template <typename Response, typename Request, typename Start>
bool AskEveryReplica(std::shared_ptr<Replicas> replicas, http::BlockingPool& workers,
                     std::vector<ServiceAddress> services, std::string request_id, Request request, Start start,
                     std::function<void(std::vector<ReplicaAnswer<Response>>)> done) {
  return workers.Submit([replicas = std::move(replicas), services = std::move(services),
                         request_id = std::move(request_id), request = std::move(request), start,
                         done = std::move(done)]() mutable {
    struct Round {
      std::mutex mutex;
      Request request;
      std::vector<ReplicaAnswer<Response>> answers;
      std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
      std::vector<std::unique_ptr<storefront::ops::v1::OpsService::Stub>> stubs;
      std::size_t pending = 0;
      std::function<void(std::vector<ReplicaAnswer<Response>>)> done;
    };
    auto round = std::make_shared<Round>();
    round->request = std::move(request);
    round->done = std::move(done);
    std::vector<std::size_t> calls;  // slots of the answers still to be asked for
    for (const auto& service : services) {
      auto resolved = ResolveReplicas(service.setting);
      for (const auto& unresolved : resolved.unresolved) {
        round->answers.push_back({service.name, unresolved.entry,
                                  grpc::Status(grpc::StatusCode::UNAVAILABLE, "cannot resolve " + unresolved.error), {}});
      }
      for (auto& address : resolved.addresses) {
        calls.push_back(round->answers.size());
        round->answers.push_back({service.name, std::move(address), grpc::Status::OK, {}});
      }
    }
    round->pending = calls.size();
    for (std::size_t slot : calls) {
      round->contexts.push_back(rpc::NewContext(kOpsTimeout, request_id));
      round->stubs.push_back(storefront::ops::v1::OpsService::NewStub(replicas->Channel(round->answers[slot].service, round->answers[slot].replica)));
    }
    if (calls.empty()) return round->done(std::move(round->answers));
    // Every context, stub and slot exists before the first call starts, so callbacks that run
    // at once on other threads only ever touch their own slot.
    for (std::size_t i = 0; i < calls.size(); ++i) {
      const std::size_t slot = calls[i];
      start(*round->stubs[i], round->contexts[i].get(), &round->request, &round->answers[slot].response,
            [round, slot](grpc::Status status) {
              std::vector<ReplicaAnswer<Response>> all;
              {
                std::lock_guard lock(round->mutex);
                round->answers[slot].status = std::move(status);
                if (--round->pending > 0) return;
                all = std::move(round->answers);
              }
              round->done(std::move(all));
            });
    }
  });
}

}  // namespace storefront::gateway::routes::admin

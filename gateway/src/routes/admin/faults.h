// The fault lab's switches (docs/fault-lab.md), operators only:
//   GET    /api/v1/admin/faults                      every fault on, on every replica of every service
//   PUT    /api/v1/admin/faults/{service}/{method}   switch one on: {"latency_ms", "error_percent",
//                                                    "abort_percent"} (a missing one is 0); method "*" is all
//   DELETE /api/v1/admin/faults/{service}/{method}   switch one off
//   DELETE /api/v1/admin/faults                      switch every fault off
// Each change goes to the ops service of every replica of the service (replicas.h) and is logged
// with the operator's email and the request id; the service checks the method and the values.
// When some replicas did not answer, the answer says which: PUT's item and the DELETEs' 200 body
// list them under "unanswered" (a DELETE that reached every replica is 204); 503 when none did.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "routes/admin_routes.h"

namespace storefront::gateway::routes::admin {

void AddFaultRoutes(AdminRoutes& routes);

// {"service", "method", "latency_ms", "error_percent", "abort_percent", "set_by", "set_at"}
nlohmann::json FaultJson(const std::string& service, const storefront::ops::v1::Fault& fault);

// One replica's faults, as its ops service listed them.
struct ReplicaFaults {
  std::string service;
  std::string replica;
  const google::protobuf::RepeatedPtrField<storefront::ops::v1::Fault>* faults;
};
// The items of GET /faults: one per service and fault, with "replicas" listing where it is on. A
// fault that differs between replicas (one missed a change) is one item per version.
nlohmann::json FaultItemsJson(const std::vector<ReplicaFaults>& replicas);

// {"service", "replica", "error"}: a replica that did not answer.
nlohmann::json UnansweredJson(const std::string& service, const std::string& replica, const grpc::Status& status);

}  // namespace storefront::gateway::routes::admin

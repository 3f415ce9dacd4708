// The fault lab's and resilience page's pieces without a server: finding every replica in an
// address setting, and the JSON they answer with.
#include "routes/admin/replicas.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "routes/admin/faults.h"
#include "routes/admin/resilience.h"

namespace storefront::gateway::routes::admin {
namespace {

using nlohmann::json;
namespace opspb = storefront::ops::v1;

bool Has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

TEST(ReplicasTest, AListOfAddressesIsEachReplica) {
  auto resolved = ResolveReplicas("127.0.0.1:50051,127.0.0.1:50061");
  EXPECT_EQ(resolved.addresses, (std::vector<std::string>{"127.0.0.1:50051", "127.0.0.1:50061"}));
  EXPECT_TRUE(resolved.unresolved.empty());
  EXPECT_EQ(ResolveReplicas("ipv4:10.0.0.1:50051,10.0.0.2:50051").addresses,
            (std::vector<std::string>{"10.0.0.1:50051", "10.0.0.2:50051"}));
  EXPECT_EQ(ResolveReplicas("[::1]:50051,[::1]:50061").addresses,
            (std::vector<std::string>{"[::1]:50051", "[::1]:50061"}));
  EXPECT_EQ(ResolveReplicas("ipv6:[::1]:50051").addresses, (std::vector<std::string>{"[::1]:50051"}));
  EXPECT_EQ(ResolveReplicas("127.0.0.1:50051,127.0.0.1:50051").addresses, (std::vector<std::string>{"127.0.0.1:50051"}))
      << "one replica named twice is asked once";
}

TEST(ReplicasTest, ANameIsEveryAddressItResolvesTo) {
  auto plain = ResolveReplicas("localhost:50051");
  EXPECT_TRUE(Has(plain.addresses, "127.0.0.1:50051")) << ::testing::PrintToString(plain.addresses);
  auto dns = ResolveReplicas("dns:///localhost:50051");
  EXPECT_EQ(dns.addresses, plain.addresses);
  EXPECT_EQ(ResolveReplicas("dns://8.8.8.8/localhost:50051").addresses, plain.addresses)
      << "the system's resolver, whatever authority the URI names";
}

TEST(ReplicasTest, AnEntryWithoutAPortIsReportedNotDropped) {
  auto resolved = ResolveReplicas("127.0.0.1:50051,payments");
  EXPECT_EQ(resolved.addresses, (std::vector<std::string>{"127.0.0.1:50051"}));
  ASSERT_EQ(resolved.unresolved.size(), 1u);
  EXPECT_EQ(resolved.unresolved[0].entry, "payments");
  EXPECT_TRUE(ResolveReplicas("").addresses.empty());
  EXPECT_EQ(ResolveReplicas("").unresolved.size(), 1u);
}

TEST(ReplicasTest, AFailedCallReadsAsWhatHappened) {
  EXPECT_EQ(DescribeFailure({grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded"}), "no answer within 2000 ms");
  EXPECT_EQ(DescribeFailure({grpc::StatusCode::UNAVAILABLE, "failed to connect"}), "unreachable: failed to connect");
}

opspb::Fault AFault(const std::string& method, int latency_ms) {
  opspb::Fault fault;
  fault.set_method(method);
  fault.set_latency_ms(latency_ms);
  fault.set_set_by("operator@storefront.local");
  fault.mutable_set_at()->set_seconds(1'796'637'600);  // 2026-12-07T10:00:00Z
  return fault;
}

TEST(FaultJsonTest, AnItemIsTheContractsShape) {
  EXPECT_EQ(FaultJson("payments", AFault("Authorize", 500)), json::parse(R"({"service": "payments",
      "method": "Authorize", "latency_ms": 500, "error_percent": 0, "abort_percent": 0,
      "set_by": "operator@storefront.local", "set_at": "2026-12-07T10:00:00Z"})"));
}

TEST(FaultJsonTest, TheSameFaultOnTwoReplicasIsOneItemAndADifferentOneIsAnother) {
  google::protobuf::RepeatedPtrField<opspb::Fault> first, second, catalog;
  *first.Add() = AFault("Authorize", 500);
  *second.Add() = AFault("Authorize", 500);
  *second.Add() = AFault("Capture", 100);
  *catalog.Add() = AFault("Authorize", 500);  // another service's method of the same name
  auto items = FaultItemsJson({{"payments", "10.0.0.1:50054", &first},
                               {"payments", "10.0.0.2:50054", &second},
                               {"catalog", "10.0.0.3:50051", &catalog}});
  ASSERT_EQ(items.size(), 3u) << items.dump(2);
  EXPECT_EQ(items[0]["method"], "Authorize");
  EXPECT_EQ(items[0]["replicas"], json::parse(R"(["10.0.0.1:50054", "10.0.0.2:50054"])"));
  EXPECT_EQ(items[1]["method"], "Capture");
  EXPECT_EQ(items[1]["replicas"], json::parse(R"(["10.0.0.2:50054"])")) << "one replica missed it: visible";
  EXPECT_EQ(items[2]["service"], "catalog");

  google::protobuf::RepeatedPtrField<opspb::Fault> changed;
  *changed.Add() = AFault("Authorize", 900);
  auto split = FaultItemsJson({{"payments", "10.0.0.1:50054", &first}, {"payments", "10.0.0.2:50054", &changed}});
  EXPECT_EQ(split.size(), 2u) << "replicas that disagree are shown apart";
}

TEST(ResilienceJsonTest, AReplicasGuardAndTheGatewaysOwnHaveOneShape) {
  opspb::UpstreamGuard remote;
  remote.set_upstream("payments");
  remote.mutable_breaker()->set_state(opspb::BREAKER_STATE_HALF_OPEN);
  remote.mutable_breaker()->set_calls(12);
  remote.mutable_breaker()->set_failures(3);
  remote.mutable_breaker()->set_retry_after_ms(1500);
  remote.mutable_bulkhead()->set_in_flight(2);
  remote.mutable_bulkhead()->set_limit(64);
  EXPECT_EQ(RemoteGuardJson("checkout", "10.0.0.4:50053", remote), json::parse(R"({"caller": "checkout",
      "replica": "10.0.0.4:50053", "upstream": "payments",
      "breaker": {"state": "half_open", "calls": 12, "failures": 3, "rejected": 0, "opened": 0, "retry_after_seconds": 2},
      "bulkhead": {"in_flight": 2, "limit": 64, "rejected": 0}})"));

  rpc::GuardSnapshot local;
  local.upstream = "payments";
  local.breaker.state = rpc::BreakerState::kOpen;
  local.breaker.rejected = 4;
  local.breaker.opened = 1;
  local.breaker.retry_after = std::chrono::milliseconds(4001);
  local.in_flight = 0;
  local.limit = 64;
  EXPECT_EQ(LocalGuardJson(local), json::parse(R"({"caller": "gateway", "upstream": "payments",
      "breaker": {"state": "open", "calls": 0, "failures": 0, "rejected": 4, "opened": 1, "retry_after_seconds": 5},
      "bulkhead": {"in_flight": 0, "limit": 64, "rejected": 0}})"));
}

}  // namespace
}  // namespace storefront::gateway::routes::admin

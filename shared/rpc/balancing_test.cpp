// Per-call load balancing: one channel over two replicas (rpc::MakeChannel with round_robin and
// rpc::ChannelTarget) spreads calls over both, and routes around a replica that went away.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "shared/rpc/client.h"
#include "shared/rpc/server.h"

namespace storefront::rpc {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class BalancingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* replica : {&first_, &second_}) {
      *replica = std::make_unique<Server>(
          ServerOptions{.listen_address = "127.0.0.1:0", .shutdown_grace = std::chrono::milliseconds(200)});
      (*replica)->Start();
    }
    // The way the local stack passes two replicas: a list of loopback addresses.
    channel_ = MakeChannel("127.0.0.1:" + std::to_string(first_->port()) + ",127.0.0.1:" +
                           std::to_string(second_->port()));
    stub_ = Health::NewStub(channel_);
  }

  // One health check; returns the port of the replica that answered it (from the call's peer,
  // "ipv4:127.0.0.1:PORT"), or 0 when the call failed.
  int Call() {
    auto context = NewContext(std::chrono::seconds(2), "");
    HealthCheckResponse response;
    grpc::Status status = stub_->Check(context.get(), HealthCheckRequest{}, &response);
    ++calls_;
    if (!status.ok() || response.status() != HealthCheckResponse::SERVING) {
      ++failures_;
      return 0;
    }
    const std::string peer = context->peer();
    return std::stoi(peer.substr(peer.rfind(':') + 1));
  }

  // round_robin picks among the replicas whose connection is ready; the second may still be
  // connecting after the first answers.
  bool BothConnected() {
    std::map<int, int> seen;
    for (int i = 0; i < 200 && seen.size() < 2; ++i) {
      if (int port = Call(); port != 0) ++seen[port];
      if (seen.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return seen.size() == 2;
  }

  std::unique_ptr<Server> first_;
  std::unique_ptr<Server> second_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Health::Stub> stub_;
  int calls_ = 0;
  int failures_ = 0;
};

TEST_F(BalancingTest, CallsTakeTurnsOverBothReplicas) {
  ASSERT_TRUE(BothConnected()) << "one replica never answered";
  std::map<int, int> answered;
  for (int i = 0; i < 100; ++i) ++answered[Call()];
  // Round robin over two ready connections alternates, call by call; pick_first (gRPC's default
  // policy) would send all 100 to one of them.
  EXPECT_EQ(answered[first_->port()], 50);
  EXPECT_EQ(answered[second_->port()], 50);
  EXPECT_EQ(failures_, 0);
}

TEST_F(BalancingTest, EveryCallAfterAReplicaStopsGoesToTheOther) {
  ASSERT_TRUE(BothConnected()) << "one replica never answered";
  ASSERT_EQ(failures_, 0);
  first_->Shutdown();
  std::map<int, int> answered;
  for (int i = 0; i < 100; ++i) ++answered[Call()];
  EXPECT_EQ(failures_, 0) << "no call was in flight when the replica stopped, so none may fail";
  EXPECT_EQ(answered[second_->port()], 100);

  // It comes back on the same port: the channel reconnects and uses it again.
  const int port = first_->port();
  first_ = std::make_unique<Server>(ServerOptions{.listen_address = "127.0.0.1:" + std::to_string(port)});
  first_->Start();
  bool used_again = false;
  for (int i = 0; i < 300 && !used_again; ++i) {
    used_again = Call() == port;
    if (!used_again) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(used_again) << "the restarted replica got no call within ~6 s (reconnect backoff is at most 2 s)";
  EXPECT_EQ(failures_, 0);
}

}  // namespace
}  // namespace storefront::rpc

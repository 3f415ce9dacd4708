// The resilience of rpc::Client against real gRPC servers on loopback: deadlines that shrink
// across hops and stop work nobody waits for, gRPC's retries for calls that are safe to repeat
// (and none for others) with throttling, the circuit breaker and the bulkhead.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "shared/errors/errors.h"
#include "shared/rpc/client.h"
#include "shared/rpc/server.h"
#include "shared/rpc/status.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::rpc {
namespace {

using namespace std::chrono_literals;
namespace pb = storefront::catalog::v1;
using Stub = pb::CatalogService::StubInterface;

// A catalog that fails, hangs or reports the budget it was given, as a test asks. GetProduct is a
// read (retried), CreateProduct a write without a key (never retried); ListProducts calls
// GetProduct on `downstream`: a second hop.
class FakeCatalog final : public pb::CatalogService::Service {
 public:
  std::atomic<int> get_attempts{0}, create_attempts{0};
  std::atomic<int> fail_next{0};  // attempts still to answer UNAVAILABLE
  std::atomic<bool> always_fail{false};
  std::atomic<bool> hang{false};
  std::atomic<int> hanging{0};
  std::atomic<bool> saw_caller_gone{false};
  std::atomic<long> budget_ms{-1};  // what the last GetProduct had left when it started
  Client<pb::CatalogService>* downstream = nullptr;

  // The client's address as the last GetProduct saw it ("ipv4:127.0.0.1:PORT").
  std::string last_peer() const {
    std::lock_guard lock(mutex_);
    return last_peer_;
  }

  void Release() {
    std::lock_guard lock(mutex_);
    hang = false;
    released_.notify_all();
  }

  grpc::Status GetProduct(grpc::ServerContext* context, const pb::GetProductRequest* request,
                          pb::Product* response) override {
    ++get_attempts;
    {
      std::lock_guard lock(mutex_);
      last_peer_ = context->peer();
    }
    return Handle(context, [&] {
      budget_ms = static_cast<long>(deadline::Remaining(1h).count());
      Fail();
      if (hang) {
        ++hanging;
        std::unique_lock lock(mutex_);
        // Work in small steps, each asking whether anyone still waits for the answer.
        while (hang && !deadline::CallerGone()) released_.wait_for(lock, 10ms);
        --hanging;
        if (deadline::CallerGone()) {
          saw_caller_gone = true;
          throw DeadlineExceeded("stopped: the caller has gone");
        }
      }
      response->set_id(request->id());
    });
  }

  grpc::Status CreateProduct(grpc::ServerContext* context, const pb::CreateProductRequest* request,
                             pb::Product* response) override {
    ++create_attempts;
    return Handle(context, [&] {
      Fail();
      response->set_sku(request->sku());
    });
  }

  grpc::Status ListProducts(grpc::ServerContext* context, const pb::ListProductsRequest*,
                            pb::ListProductsResponse* response) override {
    return Handle(context, [&] {
      pb::GetProductRequest get;
      get.set_id("p-1");
      pb::Product product;
      auto status = downstream->Call("hop", &Stub::GetProduct, get, &product);
      if (!status.ok()) throw Unavailable(status.error_message());
      *response->add_products() = product;
    });
  }

 private:
  void Fail() {
    if (always_fail) throw Unavailable("down");
    if (fail_next > 0 && fail_next-- > 0) throw Unavailable("down for now");
  }
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::string last_peer_;
};

class ResilienceTest : public ::testing::Test {
 protected:
  // A server for `fake`, and its address.
  std::string Serve(FakeCatalog& fake,
                    ServerOptions options = {.listen_address = "127.0.0.1:0", .shutdown_grace = 200ms}) {
    auto server = std::make_unique<Server>(options);
    server->AddService(&fake);
    int port = server->Start();
    servers_.push_back(std::move(server));
    return "127.0.0.1:" + std::to_string(port);
  }
  void TearDown() override {
    for (auto& fake : fakes_) fake->Release();
    for (auto& server : servers_) server->Shutdown();
  }
  FakeCatalog& NewFake() { return *fakes_.emplace_back(std::make_unique<FakeCatalog>()); }

  // An unguarded client, retries as MakeChannel configures them for the catalog's contract.
  std::unique_ptr<Client<pb::CatalogService>> Plain(const std::string& address, std::chrono::milliseconds timeout = 5s) {
    return std::make_unique<Client<pb::CatalogService>>(MakeChannel(address, pb::CatalogService::service_full_name()),
                                                        timeout);
  }

  std::vector<std::unique_ptr<FakeCatalog>> fakes_;
  std::vector<std::unique_ptr<Server>> servers_;
};

grpc::Status Get(Client<pb::CatalogService>& client) {
  pb::GetProductRequest request;
  request.set_id("p-1");
  pb::Product product;
  return client.Call("test", &Stub::GetProduct, request, &product);
}

grpc::Status Create(Client<pb::CatalogService>& client) {
  pb::CreateProductRequest request;
  request.set_sku("SKU-1");
  pb::Product product;
  return client.Call("test", &Stub::CreateProduct, request, &product);
}

TEST_F(ResilienceTest, TheServiceConfigRetriesExactlyTheMethodsTheContractMarksSafe) {
  std::string config = ServiceConfigJson(pb::CatalogService::service_full_name());
  for (const char* read : {"\"ListProducts\"", "\"GetProduct\"", "\"BatchGetProducts\"", "\"ListCategories\""}) {
    EXPECT_NE(config.find(read), std::string::npos) << read;
  }
  for (const char* write : {"CreateProduct", "UpdateProduct", "DeactivateProduct"}) {
    EXPECT_EQ(config.find(write), std::string::npos) << write;
  }
  EXPECT_NE(config.find("retryThrottling"), std::string::npos);
  EXPECT_NE(config.find("round_robin"), std::string::npos);
}

TEST_F(ResilienceTest, ATransientFailureOfAReadIsRetriedAway) {
  auto& fake = NewFake();
  auto client = Plain(Serve(fake));
  fake.fail_next = 1;
  EXPECT_TRUE(Get(*client).ok());
  EXPECT_EQ(fake.get_attempts, 2);
}

TEST_F(ResilienceTest, AWriteWithoutAnIdempotencyKeyIsNeverRetried) {
  auto& fake = NewFake();
  auto client = Plain(Serve(fake));
  fake.fail_next = 1;
  EXPECT_EQ(Create(*client).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(fake.create_attempts, 1);
}

TEST_F(ResilienceTest, RetryThrottlingStopsRetryingWhileMostCallsFail) {
  auto& fake = NewFake();
  auto client = Plain(Serve(fake));
  fake.always_fail = true;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get(*client).error_code(), grpc::StatusCode::UNAVAILABLE);
  int before = fake.get_attempts;
  EXPECT_LT(before, 30) << "some calls were not retried at all";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get(*client).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(fake.get_attempts - before, 10) << "once throttled, one attempt per call: no added load";
}

TEST_F(ResilienceTest, TheBudgetShrinksAcrossHopsInsteadOfStartingAfreshAtEach) {
  auto& edge = NewFake();
  auto& inner = NewFake();
  auto inner_client = Plain(Serve(inner), /*timeout=*/10s);
  edge.downstream = inner_client.get();
  auto edge_client = Plain(Serve(edge), /*timeout=*/800ms);
  pb::ListProductsResponse response;
  ASSERT_TRUE(edge_client->Call("test", &Stub::ListProducts, pb::ListProductsRequest{}, &response).ok());
  EXPECT_GT(inner.budget_ms, 0);
  // gRPC rounds the timeout it writes on the wire up to whole units, hence a little slack.
  EXPECT_LE(inner.budget_ms, 820) << "the second hop got what was left of 800 ms, not its own 10 s";
}

TEST_F(ResilienceTest, ACallWhoseBudgetIsSpentIsNotSent) {
  auto& fake = NewFake();
  auto client = Plain(Serve(fake));
  deadline::Scope spent(deadline::Clock::now() - 1ms);
  EXPECT_EQ(Get(*client).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(fake.get_attempts, 0);
}

TEST_F(ResilienceTest, AServerStopsWorkingForACallerThatHasGone) {
  auto& fake = NewFake();
  auto client = Plain(Serve(fake), /*timeout=*/200ms);
  fake.hang = true;
  EXPECT_EQ(Get(*client).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  for (int i = 0; i < 500 && !fake.saw_caller_gone; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(fake.saw_caller_gone) << "the handler kept working after its caller's deadline";
}

// Servers end connections after an age, so clients connect (and resolve their replicas) again.
TEST_F(ResilienceTest, AConnectionOlderThanTheServersMaximumAgeIsReplacedByANewOne) {
  auto& fake = NewFake();
  auto client = Plain(Serve(fake, {.listen_address = "127.0.0.1:0",
                                   .shutdown_grace = 200ms,
                                   .max_connection_age = 300ms,
                                   .max_connection_age_grace = 100ms}));
  ASSERT_TRUE(Get(*client).ok());
  const std::string first_peer = fake.last_peer();
  ASSERT_TRUE(Get(*client).ok());
  EXPECT_EQ(fake.last_peer(), first_peer) << "a young connection is reused";
  std::this_thread::sleep_for(800ms);
  ASSERT_TRUE(Get(*client).ok());
  EXPECT_NE(fake.last_peer(), first_peer) << "the call came on a new connection (another client port)";
}

TEST_F(ResilienceTest, TheBreakerOpensFailsFastHalfOpensAndClosesAgain) {
  auto& fake = NewFake();
  Guards guards({.breaker = {.failure_ratio = 0.5, .minimum_calls = 4, .window = 10s, .open_for = 300ms, .max_open_for = 1s}});
  Client<pb::CatalogService> client({.target = Serve(fake), .upstream = "breaker-test", .timeout = 5s, .guards = &guards});
  fake.always_fail = true;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Create(client).error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_EQ(fake.create_attempts, 4);

  auto refused = Create(client);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_GE(RetryAfterSeconds(refused), 1);
  EXPECT_EQ(fake.create_attempts, 4) << "an open breaker answers without calling";

  std::this_thread::sleep_for(350ms);
  fake.always_fail = false;
  EXPECT_TRUE(Create(client).ok()) << "the half-open probe";
  EXPECT_EQ(fake.create_attempts, 5);
  EXPECT_TRUE(Create(client).ok());
  auto snapshots = SnapshotGuards();
  auto it = std::find_if(snapshots.begin(), snapshots.end(), [](auto& g) { return g.upstream == "breaker-test"; });
  ASSERT_NE(it, snapshots.end());
  EXPECT_EQ(it->breaker.state, BreakerState::kClosed);
  EXPECT_EQ(it->breaker.opened, 1);
}

TEST_F(ResilienceTest, AFullBulkheadRefusesAtOnceWhileItsCallsHang) {
  auto& fake = NewFake();
  Guards guards({.breaker = {}, .max_in_flight = 2});
  Client<pb::CatalogService> client({.target = Serve(fake), .upstream = "bulkhead-test", .timeout = 10s, .guards = &guards});
  fake.hang = true;
  std::atomic<int> finished{0};
  std::vector<grpc::StatusCode> codes(3, grpc::StatusCode::UNKNOWN);
  for (int i = 0; i < 2; ++i) {
    pb::GetProductRequest request;
    request.set_id("p-1");
    client.Async<pb::Product>({"test", std::nullopt}, request, [&client](auto* c, auto* req, auto* resp, auto cb) {
      client.stub().async()->GetProduct(c, req, resp, std::move(cb));
    }, [&, i](const grpc::Status& status, pb::Product&) { codes[i] = status.error_code(); ++finished; });
  }
  for (int i = 0; i < 500 && fake.hanging < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(fake.hanging, 2);

  bool answered_here = false;
  client.Async<pb::Product>({"test", std::nullopt}, pb::GetProductRequest{}, [&client](auto* c, auto* req, auto* resp, auto cb) {
    client.stub().async()->GetProduct(c, req, resp, std::move(cb));
  }, [&](const grpc::Status& status, pb::Product&) { codes[2] = status.error_code(); answered_here = true; });
  EXPECT_TRUE(answered_here) << "refused on the spot, not after the 10 s deadline";
  EXPECT_EQ(codes[2], grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(fake.get_attempts, 2);

  fake.Release();
  for (int i = 0; i < 500 && finished < 2; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(codes[0], grpc::StatusCode::OK);
  EXPECT_EQ(codes[1], grpc::StatusCode::OK);
}

}  // namespace
}  // namespace storefront::rpc

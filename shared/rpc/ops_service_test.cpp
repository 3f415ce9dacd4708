// The fault lab through a real rpc::Server: a catalog whose handlers run through rpc::Handle, the
// ops service every server serves, and calls over loopback. Proves what a learner switches on is
// what a caller meets: an error without the work, an answer lost after the work, latency (cut
// short when the caller gives up), and nothing once cleared; that requests are validated; that
// retried attempts are counted; and that health and the ops service are never faulted.
#include "shared/rpc/ops_service.h"

#include <gtest/gtest.h>

#include <atomic>

#include "shared/rpc/client.h"
#include "shared/rpc/guard.h"
#include "shared/rpc/server.h"
#include "shared/rpc/status.h"
#include "shared/testing/retrying_channel.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::rpc {
namespace {

using namespace std::chrono_literals;
namespace catalogpb = storefront::catalog::v1;
namespace opspb = storefront::ops::v1;

class CountingCatalog final : public catalogpb::CatalogService::Service {
 public:
  grpc::Status GetProduct(grpc::ServerContext* context, const catalogpb::GetProductRequest* request,
                          catalogpb::Product* response) override {
    return Handle(context, [&] {
      ++get_product_runs;
      response->set_id(request->id());
    });
  }
  grpc::Status ListCategories(grpc::ServerContext* context, const catalogpb::ListCategoriesRequest*,
                              catalogpb::ListCategoriesResponse*) override {
    return Handle(context, [&] { ++list_categories_runs; });
  }

  std::atomic<int> get_product_runs{0};
  std::atomic<int> list_categories_runs{0};
};

class OpsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(ServerOptions{.listen_address = "127.0.0.1:0", .shutdown_grace = 30s});
    server_->AddService(&catalog_);
    const int port = server_->Start();
    address_ = "127.0.0.1:" + std::to_string(port);
    channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    catalog_stub_ = catalogpb::CatalogService::NewStub(channel_);
    ops_stub_ = opspb::OpsService::NewStub(channel_);
  }
  void TearDown() override { server_->Shutdown(); }

  grpc::Status GetProduct(std::chrono::milliseconds timeout = 5s) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    catalogpb::GetProductRequest request;
    request.set_id("p-1");
    catalogpb::Product product;
    return catalog_stub_->GetProduct(&context, request, &product);
  }
  grpc::Status ListCategories() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    catalogpb::ListCategoriesResponse response;
    return catalog_stub_->ListCategories(&context, {}, &response);
  }
  grpc::Status SetFault(const std::string& method, int latency_ms, int error_percent, int abort_percent,
                        opspb::Fault* out = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    context.AddMetadata("x-request-id", "fault-test-1");
    opspb::SetFaultRequest request;
    request.set_method(method);
    request.set_latency_ms(latency_ms);
    request.set_error_percent(error_percent);
    request.set_abort_percent(abort_percent);
    request.set_set_by("ops@example.com");
    opspb::Fault fault;
    auto status = ops_stub_->SetFault(&context, request, &fault);
    if (out != nullptr) *out = fault;
    return status;
  }
  grpc::Status Clear(const std::string& method, int* cleared = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    opspb::ClearFaultsRequest request;
    request.set_method(method);
    request.set_cleared_by("ops@example.com");
    opspb::ClearFaultsResponse response;
    auto status = ops_stub_->ClearFaults(&context, request, &response);
    if (cleared != nullptr) *cleared = response.cleared();
    return status;
  }
  opspb::GetResilienceResponse Resilience() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    opspb::GetResilienceResponse response;
    EXPECT_TRUE(ops_stub_->GetResilience(&context, {}, &response).ok());
    return response;
  }

  CountingCatalog catalog_;
  std::unique_ptr<Server> server_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<catalogpb::CatalogService::Stub> catalog_stub_;
  std::unique_ptr<opspb::OpsService::Stub> ops_stub_;
};

TEST_F(OpsServiceTest, AnInjectedErrorIsUnavailableAndTheHandlerDoesNotRun) {
  ASSERT_TRUE(SetFault("GetProduct", 0, 100, 0).ok());
  auto status = GetProduct();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), faults::kInjectedError);
  EXPECT_EQ(catalog_.get_product_runs, 0);
  EXPECT_TRUE(ListCategories().ok()) << "another method of the service is not touched";
  EXPECT_EQ(catalog_.list_categories_runs, 1);
}

TEST_F(OpsServiceTest, AnAbortDoesTheWorkAndLosesTheAnswer) {
  ASSERT_TRUE(SetFault("GetProduct", 0, 0, 100).ok());
  auto status = GetProduct();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), faults::kDroppedAnswer);
  EXPECT_EQ(catalog_.get_product_runs, 1) << "the work was done";
}

TEST_F(OpsServiceTest, ACallTakesAtLeastTheAddedLatency) {
  ASSERT_TRUE(SetFault("GetProduct", 300, 0, 0).ok());
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(GetProduct().ok());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_EQ(catalog_.get_product_runs, 1);
}

// The server stops waiting when the caller's deadline passes: the work never starts, and a
// shutdown right after does not wait out the 20 s latency.
TEST_F(OpsServiceTest, LatencyEndsWithTheCallersDeadline) {
  ASSERT_TRUE(SetFault("*", 20000, 0, 0).ok());
  EXPECT_EQ(GetProduct(200ms).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  auto started = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s) << "the faulted call kept sleeping";
  EXPECT_EQ(catalog_.get_product_runs, 0);
}

TEST_F(OpsServiceTest, ClearingRestoresNormalService) {
  ASSERT_TRUE(SetFault("*", 0, 100, 0).ok());
  ASSERT_TRUE(SetFault("GetProduct", 0, 100, 0).ok());
  EXPECT_EQ(GetProduct().error_code(), grpc::StatusCode::UNAVAILABLE);
  int cleared = 0;
  ASSERT_TRUE(Clear("GetProduct", &cleared).ok());
  EXPECT_EQ(cleared, 1);
  EXPECT_EQ(GetProduct().error_code(), grpc::StatusCode::UNAVAILABLE) << "\"*\" still applies";
  ASSERT_TRUE(Clear("", &cleared).ok());
  EXPECT_EQ(cleared, 1);
  EXPECT_TRUE(GetProduct().ok());
  EXPECT_EQ(catalog_.get_product_runs, 1);
}

TEST_F(OpsServiceTest, ValidatesEveryRequest) {
  auto unknown = SetFault("Authorize", 100, 0, 0);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(unknown.error_message().rfind("method: 'Authorize' is not a method of this service", 0), 0u)
      << unknown.error_message();
  EXPECT_NE(unknown.error_message().find("GetProduct"), std::string::npos) << "lists the catalog's methods";
  EXPECT_EQ(unknown.error_message().find("Check"), std::string::npos) << "health is not among them";

  auto ranges = SetFault("GetProduct", 30001, 101, -1);
  EXPECT_EQ(ranges.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ranges.error_message(),
            "latency_ms: must be an integer from 0 to 30000; error_percent: must be an integer from 0 to 100; "
            "abort_percent: must be an integer from 0 to 100");
  EXPECT_EQ(Clear("Nope").error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext context;
  opspb::SetFaultRequest anonymous;
  anonymous.set_method("GetProduct");
  anonymous.set_latency_ms(10);
  opspb::Fault fault;
  auto status = ops_stub_->SetFault(&context, anonymous, &fault);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("set_by:", 0), 0u) << status.error_message();

  grpc::ClientContext list_context;
  opspb::ListFaultsResponse list;
  ASSERT_TRUE(ops_stub_->ListFaults(&list_context, {}, &list).ok());
  EXPECT_EQ(list.faults_size(), 0) << "nothing refused was switched on";
}

TEST_F(OpsServiceTest, ListsFaultsWithWhoSetThemAndWhen) {
  const auto before = std::chrono::system_clock::now();
  opspb::Fault set;
  ASSERT_TRUE(SetFault("GetProduct", 500, 10, 20, &set).ok());
  EXPECT_EQ(set.method(), "GetProduct");
  EXPECT_EQ(set.latency_ms(), 500);
  grpc::ClientContext context;
  opspb::ListFaultsResponse list;
  ASSERT_TRUE(ops_stub_->ListFaults(&context, {}, &list).ok());
  ASSERT_EQ(list.faults_size(), 1);
  const auto& fault = list.faults(0);
  EXPECT_EQ(fault.method(), "GetProduct");
  EXPECT_EQ(fault.latency_ms(), 500);
  EXPECT_EQ(fault.error_percent(), 10);
  EXPECT_EQ(fault.abort_percent(), 20);
  EXPECT_EQ(fault.set_by(), "ops@example.com");
  EXPECT_GE(fault.set_at().seconds(), std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count());
  EXPECT_EQ(Resilience().faults_size(), 1) << "the resilience answer carries the faults too";
}

TEST_F(OpsServiceTest, HealthAndTheOpsServiceAreNeverFaulted) {
  ASSERT_TRUE(SetFault("*", 0, 100, 0).ok());
  EXPECT_EQ(GetProduct().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(CheckHealth(*channel_, 2s));
  grpc::ClientContext context;
  opspb::ListFaultsResponse list;
  EXPECT_TRUE(ops_stub_->ListFaults(&context, {}, &list).ok());
  EXPECT_TRUE(Clear("").ok()) << "the lab can always be switched off";
  EXPECT_TRUE(GetProduct().ok());
}

// A client whose retry policy retries GetProduct on UNAVAILABLE: every attempt meets the injected
// error, and the two retries arrive marked as such.
TEST_F(OpsServiceTest, CountsRetriedAttemptsPerMethod) {
  EXPECT_EQ(Resilience().retries_size(), 0);
  auto retrying = catalogpb::CatalogService::NewStub(storefront::testing::RetryingChannel(
      address_, catalogpb::CatalogService::service_full_name(), "GetProduct"));
  ASSERT_TRUE(SetFault("GetProduct", 0, 100, 0).ok());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  catalogpb::Product product;
  EXPECT_EQ(retrying->GetProduct(&context, {}, &product).error_code(), grpc::StatusCode::UNAVAILABLE);

  auto resilience = Resilience();
  ASSERT_EQ(resilience.retries_size(), 1);
  EXPECT_EQ(resilience.retries(0).method(), "GetProduct");
  EXPECT_EQ(resilience.retries(0).retried_attempts(), 2);
}

TEST_F(OpsServiceTest, ReportsTheProcesssGuards) {
  GuardSettings settings;
  settings.max_in_flight = 7;
  Guards guards(settings);
  auto guard = guards.For("ops-test-upstream");
  auto pass = guard->Enter();
  ASSERT_TRUE(pass.allowed);
  bool found = false;
  const auto resilience = Resilience();
  for (const auto& g : resilience.guards()) {
    if (g.upstream() != "ops-test-upstream") continue;
    found = true;
    EXPECT_EQ(g.breaker().state(), opspb::BREAKER_STATE_CLOSED);
    EXPECT_EQ(g.bulkhead().in_flight(), 1);
    EXPECT_EQ(g.bulkhead().limit(), 7);
  }
  EXPECT_TRUE(found);
  guard->Finish(pass, grpc::Status::OK);
}

}  // namespace
}  // namespace storefront::rpc

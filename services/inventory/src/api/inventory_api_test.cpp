// The gRPC transport over an in-process server with a mocked repository: wire mapping (the
// oneof result, enums, timestamps) and status codes, without a database.
#include "api/inventory_api.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "domain/mocks.h"
#include "shared/errors/errors.h"

namespace storefront::inventory::api {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::Throw;

constexpr const char* kOrder = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kReservation = "5d1f8f0e-2c3b-4a7d-8e9f-0a1b2c3d4e5f";
constexpr const char* kA = "11111111-1111-4111-8111-111111111111";
constexpr const char* kKey = "a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4";

class InventoryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&api_);
    server_ = builder.BuildAndStart();
    stub_ = pb::InventoryService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override { server_->Shutdown(); }

  domain::Reservation Active() {
    domain::Reservation r;
    r.id = kReservation;
    r.order_id = kOrder;
    r.lines = {{kA, 2}};
    r.created_at = clock_.Now();
    r.updated_at = clock_.Now();
    r.expires_at = clock_.Now() + std::chrono::seconds(900);
    return r;
  }

  domain::MockInventoryRepository repo_;
  domain::FakeClock clock_{domain::Timestamp(std::chrono::seconds(1'700'000'000))};
  domain::Inventory inventory_{repo_, clock_.AsClock()};
  InventoryApi api_{inventory_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<pb::InventoryService::Stub> stub_;
};

TEST_F(InventoryApiTest, ReserveStockAnswersWithTheReservation) {
  EXPECT_CALL(repo_, Reserve(_))
      .WillOnce(Return(domain::ReserveOutcome{domain::ReserveOutcome::Kind::kCreated, Active(), {}}));
  grpc::ClientContext context;
  pb::ReserveStockRequest request;
  request.set_order_id(kOrder);
  auto* line = request.add_lines();
  line->set_product_id(kA);
  line->set_quantity(2);
  pb::ReserveStockResponse response;
  ASSERT_TRUE(stub_->ReserveStock(&context, request, &response).ok());
  ASSERT_EQ(response.result_case(), pb::ReserveStockResponse::kReservation);
  const auto& r = response.reservation();
  EXPECT_EQ(r.id(), kReservation);
  EXPECT_EQ(r.order_id(), kOrder);
  EXPECT_EQ(r.state(), pb::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(r.release_reason(), pb::RELEASE_REASON_UNSPECIFIED);
  ASSERT_EQ(r.lines_size(), 1);
  EXPECT_EQ(r.lines(0).quantity(), 2);
  EXPECT_EQ(r.created_at().seconds(), 1'700'000'000);
  EXPECT_EQ(r.expires_at().seconds(), 1'700'000'900);
}

TEST_F(InventoryApiTest, AShortageIsAnOkResponseWithTheNumbers) {
  EXPECT_CALL(repo_, Reserve(_))
      .WillOnce(Return(domain::ReserveOutcome{domain::ReserveOutcome::Kind::kInsufficient, {}, {{kA, 5, 2}}}));
  grpc::ClientContext context;
  pb::ReserveStockRequest request;
  request.set_order_id(kOrder);
  auto* line = request.add_lines();
  line->set_product_id(kA);
  line->set_quantity(5);
  pb::ReserveStockResponse response;
  ASSERT_TRUE(stub_->ReserveStock(&context, request, &response).ok());
  ASSERT_EQ(response.result_case(), pb::ReserveStockResponse::kInsufficientStock);
  ASSERT_EQ(response.insufficient_stock().shortages_size(), 1);
  const auto& s = response.insufficient_stock().shortages(0);
  EXPECT_EQ(s.product_id(), kA);
  EXPECT_EQ(s.requested(), 5);
  EXPECT_EQ(s.available(), 2);
}

TEST_F(InventoryApiTest, BadRequestsAreInvalidArgumentNamingTheFields) {
  EXPECT_CALL(repo_, Reserve(_)).Times(0);
  grpc::ClientContext context;
  pb::ReserveStockRequest request;
  request.set_order_id("x");
  request.set_ttl_seconds(86400);
  pb::ReserveStockResponse response;
  auto status = stub_->ReserveStock(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("order_id: must be a UUID"));
  EXPECT_THAT(status.error_message(), HasSubstr("lines: must have 1 to 100 lines"));
  EXPECT_THAT(status.error_message(), HasSubstr("ttl_seconds"));
}

TEST_F(InventoryApiTest, ReleaseMapsTheReasonAndRejectsExpiredFromCallers) {
  EXPECT_CALL(repo_, ChangeReservation(kReservation, _, _))
      .WillOnce([&](const std::string&, domain::Timestamp, const domain::ReservationDecision& decide) {
        auto r = Active();
        auto change = decide(r);
        r.state = change->to;
        r.release_reason = change->reason;
        return std::optional<domain::Reservation>(r);
      });
  {
    grpc::ClientContext context;
    pb::ReleaseReservationRequest request;
    request.set_reservation_id(kReservation);
    request.set_reason(pb::RELEASE_REASON_ORDER_CANCELLED);
    pb::Reservation response;
    ASSERT_TRUE(stub_->ReleaseReservation(&context, request, &response).ok());
    EXPECT_EQ(response.state(), pb::RESERVATION_STATE_RELEASED);
    EXPECT_EQ(response.release_reason(), pb::RELEASE_REASON_ORDER_CANCELLED);
  }
  for (auto reason : {pb::RELEASE_REASON_EXPIRED, pb::RELEASE_REASON_UNSPECIFIED, static_cast<pb::ReleaseReason>(42)}) {
    grpc::ClientContext context;
    pb::ReleaseReservationRequest request;
    request.set_reservation_id(kReservation);
    request.set_reason(reason);
    pb::Reservation response;
    auto status = stub_->ReleaseReservation(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << reason;
    EXPECT_THAT(status.error_message(), HasSubstr("reason: "));
  }
}

TEST_F(InventoryApiTest, CommittingAReleasedReservationIsFailedPrecondition) {
  auto released = Active();
  released.state = domain::ReservationState::kReleased;
  released.release_reason = domain::ReleaseReason::kExpired;
  EXPECT_CALL(repo_, ChangeReservation(kReservation, _, _)).WillOnce(Return(released));
  EXPECT_CALL(repo_, ChangeReservation(kA, _, _)).WillOnce(Return(std::nullopt));
  grpc::ClientContext context;
  pb::CommitReservationRequest request;
  request.set_reservation_id(kReservation);
  pb::Reservation response;
  EXPECT_EQ(stub_->CommitReservation(&context, request, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext unknown_context;
  request.set_reservation_id(kA);
  EXPECT_EQ(stub_->CommitReservation(&unknown_context, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(InventoryApiTest, AdjustStockMapsBothWaysAndErrorsBecomeCodes) {
  domain::StockAdjustment adjustment{"9e9e9e9e-1111-4111-8111-111111111111", kKey, kA, 12,
                                     domain::AdjustmentReason::kRestock, "pallet", "alice", 42, clock_.Now()};
  domain::AdjustOutcome applied;
  applied.level = {kA, 42, 3, 5, clock_.Now()};
  applied.adjustment = adjustment;
  EXPECT_CALL(repo_, Adjust(::testing::Field(&domain::NewAdjustment::reason, domain::AdjustmentReason::kRestock)))
      .WillOnce(Return(applied))
      .WillOnce(Throw(Unavailable("database unavailable")));
  pb::AdjustStockRequest request;
  request.set_idempotency_key(kKey);
  request.set_product_id(kA);
  request.set_delta(12);
  request.set_reason(pb::ADJUSTMENT_REASON_RESTOCK);
  request.set_note("pallet");
  request.set_actor("alice");
  {
    grpc::ClientContext context;
    pb::AdjustStockResponse response;
    ASSERT_TRUE(stub_->AdjustStock(&context, request, &response).ok());
    EXPECT_EQ(response.level().on_hand(), 42);
    EXPECT_EQ(response.level().reserved(), 3);
    EXPECT_EQ(response.level().available(), 39);
    EXPECT_EQ(response.level().low_stock_threshold(), 5);
    EXPECT_EQ(response.adjustment().reason(), pb::ADJUSTMENT_REASON_RESTOCK);
    EXPECT_EQ(response.adjustment().on_hand_after(), 42);
    EXPECT_EQ(response.adjustment().actor(), "alice");
  }
  {
    grpc::ClientContext context;
    pb::AdjustStockResponse response;
    EXPECT_EQ(stub_->AdjustStock(&context, request, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  {
    grpc::ClientContext context;
    request.set_reason(pb::ADJUSTMENT_REASON_UNSPECIFIED);
    pb::AdjustStockResponse response;
    auto status = stub_->AdjustStock(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("reason: must be"));
  }
}

TEST_F(InventoryApiTest, GetStockLevelsAndListLowStockMapLevels) {
  EXPECT_CALL(repo_, GetStockLevels(std::vector<std::string>{kA}))
      .WillOnce(Return(std::vector<domain::StockLevel>{{kA, 7, 2, 5, clock_.Now()}}));
  grpc::ClientContext context;
  pb::GetStockLevelsRequest request;
  request.add_product_ids(kA);
  pb::GetStockLevelsResponse response;
  ASSERT_TRUE(stub_->GetStockLevels(&context, request, &response).ok());
  ASSERT_EQ(response.levels_size(), 1);
  EXPECT_EQ(response.levels(0).available(), 5);
  EXPECT_EQ(response.levels(0).updated_at().seconds(), 1'700'000'000);

  grpc::ClientContext list_context;
  pb::ListLowStockRequest list;
  list.set_page_token("not-a-token");
  pb::ListLowStockResponse listed;
  EXPECT_EQ(stub_->ListLowStock(&list_context, list, &listed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(InventoryApiTest, ListStockLevelsMapsEveryLevelAndTheNextToken) {
  EXPECT_CALL(repo_, ListStockLevels(_))
      .WillOnce(Return(domain::StockLevelPage{{{kA, 12, 4, 5, clock_.Now()}}, domain::StockLevelPageToken{kA}}));
  grpc::ClientContext context;
  pb::ListStockLevelsRequest request;
  request.set_page_size(1);
  pb::ListStockLevelsResponse response;
  ASSERT_TRUE(stub_->ListStockLevels(&context, request, &response).ok());
  ASSERT_EQ(response.levels_size(), 1);
  EXPECT_EQ(response.levels(0).product_id(), kA);
  EXPECT_EQ(response.levels(0).on_hand(), 12);
  EXPECT_EQ(response.levels(0).reserved(), 4);
  EXPECT_EQ(response.levels(0).available(), 8);
  EXPECT_EQ(response.levels(0).low_stock_threshold(), 5);
  EXPECT_FALSE(response.next_page_token().empty());

  grpc::ClientContext bad_context;
  request.set_page_size(500);
  EXPECT_EQ(stub_->ListStockLevels(&bad_context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace storefront::inventory::api

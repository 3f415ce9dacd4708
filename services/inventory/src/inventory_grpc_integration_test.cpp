// The inventory service as it runs: App (pool, migrations, sweeper thread, gRPC server with
// health, in plaintext: GRPC_PLAINTEXT=on) against a real PostgreSQL, called through a generated stub. The App
// gets a fake clock, so expiry is driven by moving time, not by waiting for it.
#include <gtest/gtest.h>

#include <thread>

#include "app.h"
#include "domain/mocks.h"
#include "shared/testing/outbox_rows.h"
#include "shared/events/topics.h"
#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"
#include "shared/types/uuid.h"

namespace storefront::inventory {
namespace {

namespace pb = storefront::inventory::v1;
using storefront::testing::SharedPostgres;
using storefront::types::NewUuid;

class InventoryGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("inventory")},
                                                        {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
                                                        {"RESERVATION_SWEEP_INTERVAL_MS", "20"}}));
    app_ = std::make_unique<App>(config, clock_.AsClock());
    int port = app_->Start();
    channel_ = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
    stub_ = pb::InventoryService::NewStub(channel_);
  }
  void TearDown() override { app_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Context() { return rpc::NewContext(std::chrono::seconds(10), "test"); }

  pb::StockLevel Level(const std::string& product) {
    pb::GetStockLevelsRequest request;
    request.add_product_ids(product);
    pb::GetStockLevelsResponse response;
    EXPECT_TRUE(stub_->GetStockLevels(Context().get(), request, &response).ok());
    return response.levels_size() == 1 ? response.levels(0) : pb::StockLevel{};
  }

  pb::AdjustStockResponse Adjust(const std::string& product, int delta, pb::AdjustmentReason reason,
                                 const std::string& key = NewUuid()) {
    pb::AdjustStockRequest request;
    request.set_idempotency_key(key);
    request.set_product_id(product);
    request.set_delta(delta);
    request.set_reason(reason);
    request.set_note("grpc test");
    request.set_actor("ops@example.com");
    pb::AdjustStockResponse response;
    auto status = stub_->AdjustStock(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  pb::ReserveStockResponse Reserve(const std::string& order, const std::string& product, int quantity, int ttl) {
    pb::ReserveStockRequest request;
    request.set_order_id(order);
    auto* line = request.add_lines();
    line->set_product_id(product);
    line->set_quantity(quantity);
    request.set_ttl_seconds(ttl);
    pb::ReserveStockResponse response;
    auto status = stub_->ReserveStock(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  domain::FakeClock clock_{std::chrono::system_clock::now()};
  std::unique_ptr<App> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::InventoryService::Stub> stub_;
};

TEST_F(InventoryGrpcTest, ServesHealthAndTheSeededStock) {
  EXPECT_TRUE(rpc::CheckHealth(*channel_, std::chrono::seconds(2)));
  auto headphones = Level("79c8c292-6b94-45b5-b498-82321e35049e");  // AUD-HP-0001
  EXPECT_GT(headphones.on_hand(), 0);
  EXPECT_EQ(headphones.available(), headphones.on_hand() - headphones.reserved());
  EXPECT_EQ(headphones.low_stock_threshold(), 5);
  EXPECT_GT(headphones.updated_at().seconds(), 0);

  pb::ListLowStockRequest low;
  low.set_page_size(100);
  pb::ListLowStockResponse listed;
  ASSERT_TRUE(stub_->ListLowStock(Context().get(), low, &listed).ok());
  EXPECT_GE(listed.levels_size(), 3);

  // Every tracked product, page by page.
  pb::ListStockLevelsRequest all;
  all.set_page_size(25);
  int levels = 0;
  for (int pages = 0; pages < 100; ++pages) {
    pb::ListStockLevelsResponse page;
    auto status = stub_->ListStockLevels(Context().get(), all, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    levels += page.levels_size();
    if (page.next_page_token().empty()) break;
    all.set_page_token(page.next_page_token());
  }
  EXPECT_GE(levels, 60) << "the seeded demo catalog";
}

TEST_F(InventoryGrpcTest, TheCheckoutSagaStepsOverTheWire) {
  const auto product = NewUuid();
  Adjust(product, 10, pb::ADJUSTMENT_REASON_RESTOCK);

  // Reserve, then a shortage for a second order, as a typed result.
  auto reserved = Reserve(NewUuid(), product, 8, 0);
  ASSERT_EQ(reserved.result_case(), pb::ReserveStockResponse::kReservation);
  const auto& reservation = reserved.reservation();
  EXPECT_EQ(reservation.state(), pb::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(reservation.expires_at().seconds() - reservation.created_at().seconds(), 900) << "default TTL";
  auto short_of = Reserve(NewUuid(), product, 3, 0);
  ASSERT_EQ(short_of.result_case(), pb::ReserveStockResponse::kInsufficientStock);
  EXPECT_EQ(short_of.insufficient_stock().shortages(0).available(), 2);
  EXPECT_EQ(short_of.insufficient_stock().shortages(0).requested(), 3);

  // Commit, then cancel before dispatch: the units come back on hand.
  pb::CommitReservationRequest commit;
  commit.set_reservation_id(reservation.id());
  pb::Reservation committed;
  ASSERT_TRUE(stub_->CommitReservation(Context().get(), commit, &committed).ok());
  EXPECT_EQ(committed.state(), pb::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(Level(product).on_hand(), 2);

  pb::ReleaseReservationRequest release;
  release.set_reservation_id(reservation.id());
  release.set_reason(pb::RELEASE_REASON_ORDER_CANCELLED);
  pb::Reservation released;
  ASSERT_TRUE(stub_->ReleaseReservation(Context().get(), release, &released).ok());
  EXPECT_EQ(released.state(), pb::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(released.release_reason(), pb::RELEASE_REASON_ORDER_CANCELLED);
  EXPECT_EQ(Level(product).on_hand(), 10);
  EXPECT_EQ(Level(product).available(), 10);

  pb::Reservation refused;
  EXPECT_EQ(stub_->CommitReservation(Context().get(), commit, &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(InventoryGrpcTest, ALateCommitFailsBecauseTheHoldExpired) {
  const auto product = NewUuid();
  Adjust(product, 5, pb::ADJUSTMENT_REASON_RESTOCK);
  auto reserved = Reserve(NewUuid(), product, 5, 60);
  ASSERT_EQ(reserved.result_case(), pb::ReserveStockResponse::kReservation);
  clock_.Advance(std::chrono::seconds(61));  // payment was slow
  pb::CommitReservationRequest commit;
  commit.set_reservation_id(reserved.reservation().id());
  pb::Reservation response;
  auto status = stub_->CommitReservation(Context().get(), commit, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("expired"), std::string::npos) << status.error_message();
  EXPECT_EQ(Level(product).available(), 5);
}

// The sweeper thread is wired into the App: once the clock passes a hold's deadline, the next
// tick (every 20 ms here) releases it without anyone calling. Polled, with a generous guard.
TEST_F(InventoryGrpcTest, TheSweeperThreadReleasesExpiredHolds) {
  const auto product = NewUuid();
  Adjust(product, 5, pb::ADJUSTMENT_REASON_RESTOCK);
  auto reserved = Reserve(NewUuid(), product, 4, 30);
  ASSERT_EQ(reserved.result_case(), pb::ReserveStockResponse::kReservation);
  EXPECT_EQ(Level(product).reserved(), 4);
  clock_.Advance(std::chrono::seconds(31));
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Level(product).reserved() != 0 && std::chrono::steady_clock::now() < guard) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Level(product).reserved(), 0);
  // The reservation says why.
  pb::ReleaseReservationRequest release;
  release.set_reservation_id(reserved.reservation().id());
  release.set_reason(pb::RELEASE_REASON_CHECKOUT_FAILED);
  pb::Reservation released;
  ASSERT_TRUE(stub_->ReleaseReservation(Context().get(), release, &released).ok());
  EXPECT_EQ(released.release_reason(), pb::RELEASE_REASON_EXPIRED);
}

// The App migrates the outbox with its own tables, and the gRPC paths announce what they change
// (no broker here: KAFKA_BOOTSTRAP_SERVERS is unset, so the rows wait for a relay).
TEST_F(InventoryGrpcTest, TheSagaStepsOverTheWireAnnounceThemselvesInTheOutbox) {
  namespace types = storefront::events::types;
  const auto product = NewUuid(), order = NewUuid();
  Adjust(product, 10, pb::ADJUSTMENT_REASON_RESTOCK);
  auto reserved = Reserve(order, product, 8, 0);  // available 10 -> 2: low
  ASSERT_EQ(reserved.result_case(), pb::ReserveStockResponse::kReservation);
  pb::CommitReservationRequest commit;
  commit.set_reservation_id(reserved.reservation().id());
  pb::Reservation committed;
  ASSERT_TRUE(stub_->CommitReservation(Context().get(), commit, &committed).ok());

  auto rows = testing::OutboxRowsFor(SharedPostgres().Dsn("inventory"), "inventory", {product, order});
  EXPECT_EQ(testing::Summaries(rows),
            (std::vector<std::string>{std::string(types::kStockChanged) + " " + product,
                                      std::string(types::kStockChanged) + " " + product,
                                      std::string(types::kLowStock) + " " + product,
                                      std::string(types::kStockChanged) + " " + product,
                                      std::string(types::kReservationCommitted) + " " + order}));
}

TEST_F(InventoryGrpcTest, OperatorAdjustmentsAreIdempotentAndAudited) {
  const auto product = NewUuid();
  const auto key = NewUuid();
  auto first = Adjust(product, 10, pb::ADJUSTMENT_REASON_RESTOCK, key);
  auto replay = Adjust(product, 10, pb::ADJUSTMENT_REASON_RESTOCK, key);
  EXPECT_EQ(replay.adjustment().id(), first.adjustment().id());
  EXPECT_EQ(Level(product).on_hand(), 10);

  pb::AdjustStockRequest conflicting;
  conflicting.set_idempotency_key(key);
  conflicting.set_product_id(product);
  conflicting.set_delta(-1);
  conflicting.set_reason(pb::ADJUSTMENT_REASON_COUNT);
  conflicting.set_actor("ops@example.com");
  pb::AdjustStockResponse response;
  EXPECT_EQ(stub_->AdjustStock(Context().get(), conflicting, &response).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  Reserve(NewUuid(), product, 9, 0);
  conflicting.set_idempotency_key(NewUuid());
  conflicting.set_delta(-2);
  EXPECT_EQ(stub_->AdjustStock(Context().get(), conflicting, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  pb::ListAdjustmentsRequest list;
  list.set_product_id(product);
  pb::ListAdjustmentsResponse history;
  ASSERT_TRUE(stub_->ListAdjustments(Context().get(), list, &history).ok());
  ASSERT_EQ(history.adjustments_size(), 1);
  EXPECT_EQ(history.adjustments(0).delta(), 10);
  EXPECT_EQ(history.adjustments(0).actor(), "ops@example.com");
  EXPECT_EQ(history.adjustments(0).note(), "grpc test");
  EXPECT_TRUE(history.next_page_token().empty());
}

TEST_F(InventoryGrpcTest, BadInputIsInvalidArgumentNeverACrash) {
  // A NUL byte is valid UTF-8 (so gRPC delivers it) but would make PostgreSQL fail: it must be
  // stopped by validation.
  pb::GetStockLevelsRequest get;
  get.add_product_ids(std::string("\0' OR 1=1 --", 12));
  pb::GetStockLevelsResponse levels;
  auto status = stub_->GetStockLevels(Context().get(), get, &levels);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("product_ids[0]: must be a UUID"), std::string::npos);

  pb::AdjustStockRequest adjust;
  adjust.set_idempotency_key(NewUuid());
  adjust.set_product_id(NewUuid());
  adjust.set_delta(1);
  adjust.set_reason(pb::ADJUSTMENT_REASON_RESTOCK);
  adjust.set_actor(std::string("ops\0", 4));
  pb::AdjustStockResponse adjusted;
  EXPECT_EQ(stub_->AdjustStock(Context().get(), adjust, &adjusted).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  pb::ReserveStockRequest reserve;
  reserve.set_order_id(NewUuid());
  for (int i = 0; i < 101; ++i) {
    auto* line = reserve.add_lines();
    line->set_product_id(NewUuid());
    line->set_quantity(1);
  }
  pb::ReserveStockResponse reserved;
  EXPECT_EQ(stub_->ReserveStock(Context().get(), reserve, &reserved).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  pb::ListLowStockRequest low;
  low.set_page_size(-5);
  pb::ListLowStockResponse listed;
  EXPECT_EQ(stub_->ListLowStock(Context().get(), low, &listed).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(InventoryConfigTest, SettingsAreValidatedTogether) {
  try {
    Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DB_POOL_SIZE", "0"}, {"RESERVATION_SWEEP_INTERVAL_MS", "soon"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("DATABASE_URL is required"), std::string::npos);
    EXPECT_NE(message.find("DB_POOL_SIZE"), std::string::npos);
    EXPECT_NE(message.find("RESERVATION_SWEEP_INTERVAL_MS"), std::string::npos);
  }
  auto defaults = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}}));
  EXPECT_EQ(defaults.grpc_address, "127.0.0.1:50055");
  EXPECT_EQ(defaults.reservation_sweep_interval, std::chrono::milliseconds(5000));
  EXPECT_EQ(defaults.kafka_bootstrap_servers, "") << "no Kafka unless configured";
}

TEST(InventoryConfigTest, KafkaBrokersAreHostPortPairs) {
  auto config = Config::FromEnv(config::Env::FromMap(
      {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092,kafka:29092"}}));
  EXPECT_EQ(config.kafka_bootstrap_servers, "127.0.0.1:9092,kafka:29092");
  for (const char* bad : {"kafka", "127.0.0.1:9092,", "a:1,b:0"}) {
    try {
      Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DB_POOL_SIZE", "0"}, {"KAFKA_BOOTSTRAP_SERVERS", bad}}));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const config::ConfigError& error) {
      std::string message = error.what();
      EXPECT_NE(message.find("KAFKA_BOOTSTRAP_SERVERS"), std::string::npos) << bad;
      EXPECT_NE(message.find("DB_POOL_SIZE"), std::string::npos) << "reported together";
    }
  }
}

}  // namespace
}  // namespace storefront::inventory

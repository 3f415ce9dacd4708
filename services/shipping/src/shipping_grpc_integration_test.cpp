// The shipping service as it runs: App (pool, migrations, gRPC server with health,
// in plaintext: GRPC_PLAINTEXT=on) against a real PostgreSQL, called through a generated stub. Walks the checkout
// path (quote, create, retry) and the operator path (advance, cancel, list), and checks the
// status code of every rule on the wire.
#include <gtest/gtest.h>

#include <thread>

#include "app.h"
#include "shared/events/topics.h"
#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"
#include "shared/testing/events.h"
#include "shared/testing/manual_clock.h"
#include "shared/testing/outbox_rows.h"
#include "storefront/events/v1/checkout_events.pb.h"
#include "testing/fixture.h"

namespace storefront::shipping {
namespace {

namespace pb = storefront::shipping::v1;
using storefront::testing::ManualClock;
using storefront::testing::SharedPostgres;

constexpr std::int64_t kStartMicros = 1'900'000'000'000'000;  // 2030: newer than other tests' shipments

class ShippingGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<App>(
        Config::FromEnv(config::Env::FromMap(
            {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("shipping")},
             {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
             {"SHIPPING_TICK_MS", "10"}})),
        clock_.AsClock());
    int port = app_->Start();
    channel_ = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
    stub_ = pb::ShippingService::NewStub(channel_);
  }
  void TearDown() override { app_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Context() { return rpc::NewContext(std::chrono::seconds(5), "test"); }

  static void SetAddress(storefront::common::v1::Address* a, const std::string& country) {
    a->set_name("Grace Hopper");
    a->set_line1("Unter den Linden 1");
    a->set_city("Berlin");
    a->set_postal_code("10117");
    a->set_country(country);
  }

  pb::CreateShipmentRequest CreateRequest(const std::string& order_id, const std::string& option,
                                          const std::string& country = "DE") {
    pb::CreateShipmentRequest request;
    request.set_order_id(order_id);
    request.set_customer_id("cus_grpc");
    request.set_shipping_option_id(option);
    SetAddress(request.mutable_address(), country);
    auto* item = request.add_items();
    item->set_product_id("88718c96-6f3d-48f7-b4b1-b64633be40f5");
    item->set_sku("AUD-SP-0004");
    item->set_name("Drift Portable Speaker");
    item->set_quantity(2);
    return request;
  }

  pb::Shipment Create(const pb::CreateShipmentRequest& request) {
    pb::Shipment shipment;
    auto status = stub_->CreateShipment(Context().get(), request, &shipment);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return shipment;
  }

  grpc::Status Advance(const std::string& id, pb::ShipmentStatus to, pb::Shipment* out) {
    pb::AdvanceShipmentRequest request;
    request.set_id(id);
    request.set_to_status(to);
    return stub_->AdvanceShipment(Context().get(), request, out);
  }

  grpc::Status Cancel(const std::string& id, const std::string& reason, pb::Shipment* out) {
    pb::CancelShipmentRequest request;
    request.set_id(id);
    request.set_reason(reason);
    return stub_->CancelShipment(Context().get(), request, out);
  }

  ManualClock clock_{types::FromMicros(kStartMicros)};
  std::unique_ptr<App> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::ShippingService::Stub> stub_;
};

TEST_F(ShippingGrpcTest, ServesHealthAndQuotes) {
  EXPECT_TRUE(rpc::CheckHealth(*channel_, std::chrono::seconds(2)));
  pb::GetQuotesRequest request;
  SetAddress(request.mutable_address(), "DE");
  request.set_item_count(3);
  request.mutable_subtotal()->set_amount_minor(20000);
  request.mutable_subtotal()->set_currency("GBP");
  pb::GetQuotesResponse response;
  ASSERT_TRUE(stub_->GetQuotes(Context().get(), request, &response).ok());
  ASSERT_EQ(response.options_size(), 2);
  EXPECT_EQ(response.options(0).id(), "standard");
  EXPECT_EQ(response.options(0).price().amount_minor(), 0) << "free from GBP 120 abroad";
  EXPECT_EQ(response.options(1).id(), "express");
  EXPECT_EQ(response.options(1).price().amount_minor(), 3599 + 2 * 400);
  EXPECT_EQ(response.options(1).price().currency(), "GBP");

  request.mutable_subtotal()->set_currency("CHF");
  EXPECT_EQ(stub_->GetQuotes(Context().get(), request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ShippingGrpcTest, CheckoutCreatesOneShipmentPerOrderAndOperatorsMoveIt) {
  const std::string order = "6a0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f";
  auto created = Create(CreateRequest(order, "express"));
  EXPECT_EQ(created.status(), pb::SHIPMENT_STATUS_LABEL_CREATED);
  EXPECT_EQ(created.carrier(), "DHL");
  EXPECT_EQ(created.service(), "Express Worldwide");
  EXPECT_EQ(created.tracking_number().rfind("DHL", 0), 0u);
  EXPECT_EQ(created.created_at().seconds(), kStartMicros / 1'000'000);
  EXPECT_EQ(created.address().city(), "Berlin");
  ASSERT_EQ(created.items_size(), 1);

  // Checkout's retry after a timeout gets the same shipment; a changed request does not.
  EXPECT_EQ(Create(CreateRequest(order, "express")).id(), created.id());
  pb::Shipment ignored;
  EXPECT_EQ(stub_->CreateShipment(Context().get(), CreateRequest(order, "standard"), &ignored).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(stub_->CreateShipment(Context().get(), CreateRequest(order, "overnight"), &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "overnight is domestic only";

  pb::GetShipmentByOrderRequest by_order;
  by_order.set_order_id(order);
  pb::Shipment found;
  ASSERT_TRUE(stub_->GetShipmentByOrder(Context().get(), by_order, &found).ok());
  EXPECT_EQ(found.id(), created.id());

  clock_.Advance(std::chrono::hours(1));
  pb::Shipment moved;
  EXPECT_EQ(Advance(created.id(), pb::SHIPMENT_STATUS_DELIVERED, &moved).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Advance(created.id(), pb::SHIPMENT_STATUS_DISPATCHED, &moved).ok());
  EXPECT_EQ(moved.dispatched_at().seconds(), kStartMicros / 1'000'000 + 3600);
  ASSERT_TRUE(Advance(created.id(), pb::SHIPMENT_STATUS_DISPATCHED, &moved).ok()) << "retry";
  EXPECT_EQ(Cancel(created.id(), "too late", &moved).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Advance(created.id(), pb::SHIPMENT_STATUS_DELIVERED, &moved).ok());
  EXPECT_EQ(moved.status(), pb::SHIPMENT_STATUS_DELIVERED);
  EXPECT_TRUE(moved.has_delivered_at());

  pb::GetShipmentRequest get;
  get.set_id(created.id());
  ASSERT_TRUE(stub_->GetShipment(Context().get(), get, &found).ok());
  EXPECT_EQ(found.status(), pb::SHIPMENT_STATUS_DELIVERED);
  EXPECT_EQ(found.dispatched_at().seconds(), moved.dispatched_at().seconds());
}

TEST_F(ShippingGrpcTest, CancelBeforeDispatchIsIdempotent) {
  auto created = Create(CreateRequest("7a0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f", "standard", "US"));
  EXPECT_EQ(created.carrier(), "USPS");
  pb::Shipment cancelled;
  EXPECT_EQ(Cancel(created.id(), "", &cancelled).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "a reason is required";
  ASSERT_TRUE(Cancel(created.id(), "payment declined", &cancelled).ok());
  EXPECT_EQ(cancelled.status(), pb::SHIPMENT_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.cancel_reason(), "payment declined");
  EXPECT_TRUE(cancelled.has_cancelled_at());
  pb::Shipment again;
  ASSERT_TRUE(Cancel(created.id(), "another", &again).ok());
  EXPECT_EQ(again.cancel_reason(), "payment declined");
  EXPECT_EQ(Advance(created.id(), pb::SHIPMENT_STATUS_DISPATCHED, &again).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ShippingGrpcTest, ListsNewestFirstByStatus) {
  std::vector<std::string> ids;
  for (const char* order : {"8a0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e21", "8a0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e22",
                            "8a0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e23"}) {
    clock_.Advance(std::chrono::hours(24));  // a day later each, newer than anything else in the database
    ids.push_back(Create(CreateRequest(order, "standard")).id());
  }
  pb::ListShipmentsRequest request;
  request.set_page_size(2);
  pb::ListShipmentsResponse page;
  ASSERT_TRUE(stub_->ListShipments(Context().get(), request, &page).ok());
  ASSERT_EQ(page.shipments_size(), 2);
  EXPECT_EQ(page.shipments(0).id(), ids[2]);
  EXPECT_EQ(page.shipments(1).id(), ids[1]);
  ASSERT_FALSE(page.next_page_token().empty());

  request.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListShipments(Context().get(), request, &page).ok());
  ASSERT_GE(page.shipments_size(), 1);
  EXPECT_EQ(page.shipments(0).id(), ids[0]);

  request.set_status(pb::SHIPMENT_STATUS_DELIVERED);
  EXPECT_EQ(stub_->ListShipments(Context().get(), request, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "a token is bound to its status filter";
  request.clear_page_token();
  request.set_page_size(101);
  EXPECT_EQ(stub_->ListShipments(Context().get(), request, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ShippingGrpcTest, ACreatedShipmentIsAnnouncedAndTheTickerMovesAConfirmedOneOn) {
  // Without KAFKA_BOOTSTRAP_SERVERS the App runs no relay and no consumer, but still writes the
  // outbox and runs the ticker. The consumer is stood in for by calling its handler directly.
  const std::string order = "8a0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e31";
  auto created = Create(CreateRequest(order, "express"));
  const std::string dsn = SharedPostgres().Dsn("shipping");
  auto rows = testing::OutboxRows(dsn, "shipping", order);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_type, storefront::events::types::kShipmentCreated);

  db::Pool pool(dsn, 1, std::chrono::seconds(5), repo::PgShipmentRepository::Prepare);
  consumers::OrderEventHandlers handlers(
      clock_.AsClock(), domain::ProgressionDelays{});
  storefront::events::v1::OrderConfirmed confirmed;
  confirmed.set_order_id(order);
  const auto event = testing::EnvelopeOf(storefront::events::types::kOrderConfirmed, confirmed,
                                         {.event_id = "6f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e31"});
  {
    auto lease = pool.Acquire();
    pqxx::work txn(*lease);
    handlers.OnOrderConfirmed(txn, event);
    txn.commit();
  }

  clock_.Advance(std::chrono::seconds(30));  // the default dispatch delay has passed
  pb::GetShipmentRequest get;
  get.set_id(created.id());
  pb::Shipment shipment;
  // Waits for the ticker thread to take the step: polling a condition, not timing anything.
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    ASSERT_TRUE(stub_->GetShipment(Context().get(), get, &shipment).ok());
    if (shipment.status() == pb::SHIPMENT_STATUS_DISPATCHED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < guard);
  EXPECT_EQ(shipment.status(), pb::SHIPMENT_STATUS_DISPATCHED);
  EXPECT_EQ(testing::OutboxRows(dsn, "shipping", order).back().event_type, storefront::events::types::kShipmentDispatched);
}

TEST_F(ShippingGrpcTest, ReadsOfUnknownOrMalformedIds) {
  pb::GetShipmentRequest get;
  get.set_id("00000000-0000-4000-8000-000000000000");
  pb::Shipment shipment;
  EXPECT_EQ(stub_->GetShipment(Context().get(), get, &shipment).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_id("'; DROP TABLE shipments; --");
  EXPECT_EQ(stub_->GetShipment(Context().get(), get, &shipment).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  pb::GetShipmentByOrderRequest by_order;
  by_order.set_order_id("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(stub_->GetShipmentByOrder(Context().get(), by_order, &shipment).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(ShippingAppTest, StartsServesAndStopsWhileTheBrokerIsAway) {
  // With KAFKA_BOOTSTRAP_SERVERS set the App runs the relay and the consumer; a broker that is not
  // there must neither block start-up nor shutdown (both only retry in the background).
  App app(Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("shipping")},
                                                {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
                                                {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"}})));
  int port = app.Start();
  EXPECT_TRUE(rpc::CheckHealth(*rpc::MakeChannel("127.0.0.1:" + std::to_string(port)), std::chrono::seconds(2)));
  app.Shutdown();
}

TEST(ShippingConfigTest, DefaultsAndStartupErrors) {
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://shipping@localhost/storefront"}}));
  EXPECT_EQ(config.grpc_address, "127.0.0.1:50056");
  EXPECT_EQ(config.db_pool_size, 8);
  EXPECT_EQ(config.log_level, "info");
  EXPECT_EQ(config.kafka_bootstrap_servers, "") << "optional: without it no relay or consumer runs";
  EXPECT_EQ(config.progression.dispatch, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.progression.delivery, std::chrono::milliseconds(60000));
  EXPECT_EQ(config.progression_tick, std::chrono::milliseconds(1000));
  auto tuned = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://shipping@localhost/storefront"},
                                                     {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092"},
                                                     {"SHIPPING_DISPATCH_DELAY_MS", "0"},
                                                     {"SHIPPING_DELIVERY_DELAY_MS", "5000"},
                                                     {"SHIPPING_TICK_MS", "250"}}));
  EXPECT_EQ(tuned.kafka_bootstrap_servers, "kafka-1:9092,kafka-2:9092");
  EXPECT_EQ(tuned.progression.dispatch, std::chrono::milliseconds(0));
  EXPECT_EQ(tuned.progression.delivery, std::chrono::milliseconds(5000));
  EXPECT_EQ(tuned.progression_tick, std::chrono::milliseconds(250));
  EXPECT_THROW(Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://shipping@localhost/storefront"},
                                                     {"KAFKA_BOOTSTRAP_SERVERS", "kafka-1"}})),
               config::ConfigError);
  try {
    Config::FromEnv(config::Env::FromMap(
        {{"GRPC_PLAINTEXT", "on"}, {"DB_POOL_SIZE", "0"},
         {"LOG_LEVEL", "loud"},
         {"SHIPPING_TICK_MS", "0"},
         {"SHIPPING_DISPATCH_DELAY_MS", "-1"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("DATABASE_URL is required"), std::string::npos) << message;
    EXPECT_NE(message.find("DB_POOL_SIZE must be between 1 and 64"), std::string::npos) << message;
    EXPECT_NE(message.find("LOG_LEVEL"), std::string::npos) << message;
    EXPECT_NE(message.find("SHIPPING_TICK_MS"), std::string::npos) << message;
    EXPECT_NE(message.find("SHIPPING_DISPATCH_DELAY_MS"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace storefront::shipping

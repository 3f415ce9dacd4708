// The payments service as it runs: App (pool, migrations, simulated processor, gRPC server with
// health, in plaintext: GRPC_PLAINTEXT=on) against a real PostgreSQL, called through a generated stub.
#include <gtest/gtest.h>

#include "app.h"
#include "domain/payments.h"
#include "shared/events/topics.h"
#include "shared/rpc/client.h"
#include "shared/testing/postgres.h"
#include "storefront/events/v1/payments_events.pb.h"
#include "shared/testing/outbox_rows.h"

namespace storefront::payments {
namespace {

namespace pb = storefront::payments::v1;
using storefront::testing::SharedPostgres;

class PaymentsGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_ = std::make_unique<App>(Config::FromEnv(config::Env::FromMap(
        {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("payments")}, {"GRPC_LISTEN_ADDR", "127.0.0.1:0"}})));
    int port = app_->Start();
    channel_ = rpc::MakeChannel("127.0.0.1:" + std::to_string(port));
    stub_ = pb::PaymentsService::NewStub(channel_);
  }
  void TearDown() override { app_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Context() { return rpc::NewContext(std::chrono::seconds(5), "test"); }

  pb::AuthorizeRequest Authorization(const std::string& key, const std::string& number) {
    pb::AuthorizeRequest request;
    request.set_idempotency_key(order_ + ":" + key);
    request.set_order_id(order_);
    request.set_customer_id("customer-" + order_);  // its own, so the decline limit never counts another test's
    request.mutable_amount()->set_amount_minor(12999);
    request.mutable_amount()->set_currency("USD");
    request.mutable_card()->set_number(number);
    request.mutable_card()->set_exp_month(12);
    request.mutable_card()->set_exp_year(2099);
    request.mutable_card()->set_cvc("123");
    return request;
  }

  grpc::Status Authorize(const pb::AuthorizeRequest& request, pb::Payment* payment) {
    return stub_->Authorize(Context().get(), request, payment);
  }

  std::string order_ = "order-" + types::NewUuid();
  std::unique_ptr<App> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::PaymentsService::Stub> stub_;
};

TEST_F(PaymentsGrpcTest, AuthorizeCaptureRefundOverTheWire) {
  EXPECT_TRUE(rpc::CheckHealth(*channel_, std::chrono::seconds(2)));
  pb::Payment authorized;
  ASSERT_TRUE(Authorize(Authorization("authorize", "4242 4242 4242 4242"), &authorized).ok());
  EXPECT_EQ(authorized.status(), pb::PAYMENT_STATUS_AUTHORIZED);
  EXPECT_EQ(authorized.card_brand(), pb::CARD_BRAND_VISA);
  EXPECT_EQ(authorized.card_last4(), "4242");
  EXPECT_EQ(authorized.amount().amount_minor(), 12999);
  EXPECT_EQ(authorized.captured_amount().amount_minor(), 0);
  EXPECT_TRUE(authorized.has_created_at());
  EXPECT_FALSE(authorized.has_captured_at());

  pb::Payment retried;
  ASSERT_TRUE(Authorize(Authorization("authorize", "4242 4242 4242 4242"), &retried).ok());
  EXPECT_EQ(retried.id(), authorized.id());
  auto changed = Authorization("authorize", "4242 4242 4242 4242");
  changed.mutable_amount()->set_amount_minor(1);
  EXPECT_EQ(Authorize(changed, &retried).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  pb::CaptureRequest capture;
  capture.set_idempotency_key(order_ + ":capture");
  capture.set_payment_id(authorized.id());
  pb::Payment captured;
  ASSERT_TRUE(stub_->Capture(Context().get(), capture, &captured).ok());
  EXPECT_EQ(captured.status(), pb::PAYMENT_STATUS_CAPTURED);
  EXPECT_EQ(captured.captured_amount().amount_minor(), 12999);

  pb::VoidRequest void_request;
  void_request.set_idempotency_key(order_ + ":void");
  void_request.set_payment_id(authorized.id());
  pb::Payment ignored;
  auto status = stub_->Void(Context().get(), void_request, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  pb::RefundRequest refund;
  refund.set_idempotency_key(order_ + ":refund:1");
  refund.set_payment_id(authorized.id());
  refund.mutable_amount()->set_amount_minor(2999);
  refund.mutable_amount()->set_currency("USD");
  refund.set_reason("returned one item");
  pb::Payment refunded;
  ASSERT_TRUE(stub_->Refund(Context().get(), refund, &refunded).ok());
  EXPECT_EQ(refunded.status(), pb::PAYMENT_STATUS_PARTIALLY_REFUNDED);
  EXPECT_EQ(refunded.refunded_amount().amount_minor(), 2999);
  refund.set_idempotency_key(order_ + ":refund:2");
  refund.mutable_amount()->set_amount_minor(10001);
  EXPECT_EQ(stub_->Refund(Context().get(), refund, &refunded).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  refund.clear_amount();
  ASSERT_TRUE(stub_->Refund(Context().get(), refund, &refunded).ok());
  EXPECT_EQ(refunded.status(), pb::PAYMENT_STATUS_REFUNDED);
  EXPECT_EQ(refunded.refunded_amount().amount_minor(), 12999);

  pb::GetPaymentRequest get;
  get.set_id(authorized.id());
  pb::Payment fetched;
  ASSERT_TRUE(stub_->GetPayment(Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), refunded.SerializeAsString());
}

TEST_F(PaymentsGrpcTest, TestCardsAndBadCardsGetTheirStatusCodes) {
  pb::Payment payment;
  ASSERT_TRUE(Authorize(Authorization("declined", "4000000000000002"), &payment).ok());
  EXPECT_EQ(payment.status(), pb::PAYMENT_STATUS_DECLINED);
  EXPECT_EQ(payment.decline_code(), "card_declined");

  ASSERT_TRUE(Authorize(Authorization("funds", "4000000000009995"), &payment).ok());
  EXPECT_EQ(payment.decline_code(), "insufficient_funds");

  auto expired = Authorization("expired", "4242424242424242");
  expired.mutable_card()->set_exp_year(2020);
  ASSERT_TRUE(Authorize(expired, &payment).ok());
  EXPECT_EQ(payment.status(), pb::PAYMENT_STATUS_DECLINED);
  EXPECT_EQ(payment.decline_code(), "expired_card");

  auto status = Authorize(Authorization("outage", "4000000000000119"), &payment);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "payment processor unavailable");

  status = Authorize(Authorization("typo", "4242424242424241"), &payment);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("card.number: ", 0), 0u) << status.error_message();

  pb::ListPaymentsRequest list;
  list.set_order_id(order_);
  pb::ListPaymentsResponse listed;
  ASSERT_TRUE(stub_->ListPayments(Context().get(), list, &listed).ok());
  ASSERT_EQ(listed.payments_size(), 4);  // the bad card left nothing behind
  EXPECT_EQ(listed.payments(0).status(), pb::PAYMENT_STATUS_FAILED);  // newest first

  pb::GetPaymentRequest get;
  get.set_id("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(stub_->GetPayment(Context().get(), get, &payment).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_id("junk");
  EXPECT_EQ(stub_->GetPayment(Context().get(), get, &payment).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(PaymentsAppTest, StartsServesAndStopsWhileTheBrokerIsAway) {
  // With KAFKA_BOOTSTRAP_SERVERS set the App runs the relay and the consumer; a broker that is not there must
  // neither block start-up nor shutdown (they only retry in the background).
  App app(Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", SharedPostgres().Dsn("payments")},
                                                {"GRPC_LISTEN_ADDR", "127.0.0.1:0"},
                                                {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"}})));
  int port = app.Start();
  EXPECT_TRUE(rpc::CheckHealth(*rpc::MakeChannel("127.0.0.1:" + std::to_string(port)), std::chrono::seconds(2)));
  app.Shutdown();
}

TEST(PaymentsConfigTest, EverySettingIsValidatedAtStartup) {
  try {
    Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DB_POOL_SIZE", "0"},
                                          {"CARD_PROCESSOR", "stripe"},
                                          {"PROCESSOR_SWEEP_INTERVAL_MS", "0"},
                                          {"PROCESSOR_INTENT_LEASE_MS", "10"},
                                          {"CARD_DECLINE_LIMIT", "-1"},
                                          {"CARD_DECLINE_WINDOW_SECONDS", "0"}}));
    FAIL() << "expected a configuration error";
  } catch (const config::ConfigError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("DATABASE_URL is required"), std::string::npos);
    EXPECT_NE(message.find("DB_POOL_SIZE must be between 1 and 64"), std::string::npos);
    EXPECT_NE(message.find("CARD_PROCESSOR"), std::string::npos);
    EXPECT_NE(message.find("PROCESSOR_SWEEP_INTERVAL_MS"), std::string::npos);
    EXPECT_NE(message.find("PROCESSOR_INTENT_LEASE_MS"), std::string::npos);
    EXPECT_NE(message.find("CARD_DECLINE_LIMIT"), std::string::npos);
    EXPECT_NE(message.find("CARD_DECLINE_WINDOW_SECONDS"), std::string::npos);
  }
  auto config = Config::FromEnv(config::Env::FromMap({{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}}));
  EXPECT_EQ(config.grpc_address, "127.0.0.1:50054");
  EXPECT_EQ(config.card_processor, "simulated");
  EXPECT_EQ(config.processor_sweep_interval, std::chrono::seconds(1));
  EXPECT_EQ(config.processor_intent_lease, std::chrono::seconds(30));
  EXPECT_EQ(config.card_decline_limit, 5);
  EXPECT_EQ(config.card_decline_window, std::chrono::hours(1));
  EXPECT_EQ(config.kafka_bootstrap_servers, "") << "optional: without it no relay or consumer runs";
  EXPECT_EQ(Config::FromEnv(config::Env::FromMap(
                                {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_SECURITY_PROTOCOL", "plaintext"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"}}))
                .kafka_bootstrap_servers,
            "127.0.0.1:9092");
  EXPECT_THROW(Config::FromEnv(config::Env::FromMap(
                   {{"GRPC_PLAINTEXT", "on"}, {"DATABASE_URL", "postgresql://x"}, {"KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092,"}})),
               config::ConfigError);
}

TEST_F(PaymentsGrpcTest, AnAuthorizationOverTheWireIsAnnouncedInTheOutbox) {
  pb::Payment payment;
  ASSERT_TRUE(Authorize(Authorization("outbox", "4242424242424242"), &payment).ok());
  auto rows = storefront::testing::OutboxRows(SharedPostgres().Dsn("payments"), "payments", order_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_type, storefront::events::types::kPaymentAuthorized);
  EXPECT_EQ(rows[0].PayloadAs<storefront::events::v1::PaymentAuthorized>().payment_id(), payment.id());
}

}  // namespace
}  // namespace storefront::payments

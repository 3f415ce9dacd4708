// End to end: the store's observability on the whole local stack, with its real Zipkin server and
// Prometheus. One checkout is one trace, from the shopper's HTTP request to the consumers of the
// shipment's delivery event, asked of Zipkin's own query API; every service's log lines for that
// order carry its trace id; the operator's dashboard figures come from Prometheus' scrapes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "e2e/api_client.h"
#include "e2e/local_stack.h"
#include "shared/testing/http_client.h"

namespace storefront::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kOperatorPassword = "operator-observability-password";

template <typename Check>
bool Eventually(Check check, std::chrono::seconds limit = 90s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (check()) return true;
    std::this_thread::sleep_for(250ms);
  }
  return check();
}

class ObservabilityE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new LocalStack("", {{"STOREFRONT_ZIPKIN", "on"},
                                 {"STOREFRONT_PROMETHEUS", "on"},
                                 {"SHIPPING_DISPATCH_DELAY_MS", "300"},
                                 {"SHIPPING_DELIVERY_DELAY_MS", "300"},
                                 {"SHIPPING_TICK_MS", "100"},
                                 {"STOREFRONT_OPERATOR_PASSWORD", kOperatorPassword}});
    PlaceAnOrderAndWaitForItsDelivery();
  }
  static void TearDownTestSuite() { delete stack_; }

  // One shopper's checkout, followed (as an operator) until the parcel is delivered.
  static void PlaceAnOrderAndWaitForItsDelivery() {
    const int port = stack_->gateway_port();
    ApiClient shopper(port);
    const std::string email = "observed-" + std::to_string(::getpid()) + "@example.com";
    shopper.Expect(201, "POST", "/api/v1/auth/register",
                   json{{"email", email}, {"password", "correct horse battery"}, {"name", "Grace"}});
    shopper.SignIn(email, "correct horse battery");
    auto products = json::parse(testing::HttpGet(port, "/api/v1/products?limit=1").body);
    shopper.Expect(200, "POST", "/api/v1/cart/items", json{{"product_id", products["items"][0]["id"]}, {"quantity", 1}});
    auto quotes = shopper.Expect(200, "POST", "/api/v1/shipping/quotes", json{{"address", kAddress}});
    auto placed = shopper.Expect(201, "POST", "/api/v1/checkout",
                                 json{{"shipping_address", kAddress},
                                      {"shipping_option_id", quotes["options"][0]["id"]},
                                      {"payment", Card("4242 4242 4242 4242")}},
                                 {{"Idempotency-Key", "observed-order-1"}});
    order_id_ = placed.value("order_id", "");
    ASSERT_FALSE(order_id_.empty()) << placed.dump();

    operator_ = new ApiClient(port);
    operator_->SignIn("operator@storefront.local", kOperatorPassword);
    json order;
    ASSERT_TRUE(Eventually([&] {
      order = operator_->Expect(200, "GET", "/api/v1/admin/orders/" + order_id_);
      return order["status"] == "delivered";
    })) << order.dump();
    trace_id_ = order.value("trace_id", "");
    trace_url_ = order.value("trace_url", "");
  }

  // Zipkin's answer for the order's trace: its spans.
  static json Trace() {
    auto answer = testing::HttpGet(stack_->zipkin_port(), "/api/v2/trace/" + trace_id_);
    return answer.status == 200 ? json::parse(answer.body) : json::array();
  }

  static LocalStack* stack_;
  static ApiClient* operator_;
  static std::string order_id_, trace_id_, trace_url_;
};

LocalStack* ObservabilityE2ETest::stack_ = nullptr;
ApiClient* ObservabilityE2ETest::operator_ = nullptr;
std::string ObservabilityE2ETest::order_id_, ObservabilityE2ETest::trace_id_, ObservabilityE2ETest::trace_url_;

TEST_F(ObservabilityE2ETest, TheOrderNamesItsTraceAndWhereToSeeIt) {
  ASSERT_EQ(trace_id_.size(), 32u) << trace_id_;
  EXPECT_EQ(trace_url_, "http://127.0.0.1:" + std::to_string(stack_->zipkin_port()) + "/zipkin/traces/" + trace_id_);
}

TEST_F(ObservabilityE2ETest, OneCheckoutIsOneTraceFromTheShoppersRequestToTheDelivery) {
  ASSERT_FALSE(trace_id_.empty());
  // What the trace must hold once the delivery event has been consumed and every batch exported.
  const std::set<std::string> services = {"gateway", "checkout", "payments", "inventory", "shipping", "cart", "catalog"};
  json spans;
  auto complete = [&] {
    spans = Trace();
    std::set<std::string> seen;
    bool delivered_consumed = false, dispatch_consumed_by_payments = false;
    for (const auto& span : spans) {
      seen.insert(span["localEndpoint"]["serviceName"].get<std::string>());
      delivered_consumed |= span.value("kind", "") == "CONSUMER" &&
                            span.value("name", "") == "storefront.shipping.shipment.delivered.v1";
      // Each process exports its own batches: payments' capture may reach Zipkin after the
      // delivery's consumers did, so the trace is complete only once it is there too.
      dispatch_consumed_by_payments |= span["localEndpoint"]["serviceName"] == "payments" &&
                                       span.value("kind", "") == "CONSUMER" &&
                                       span.value("name", "") == "storefront.shipping.shipment.dispatched.v1";
    }
    return seen == services && delivered_consumed && dispatch_consumed_by_payments;
  };
  ASSERT_TRUE(Eventually(complete, 60s)) << spans.dump(1);

  // One root: the gateway's span of the shopper's request; every other span's parent is in it.
  std::set<std::string> ids;
  for (const auto& span : spans) ids.insert(span["id"].get<std::string>());
  int roots = 0;
  for (const auto& span : spans) {
    EXPECT_EQ(span["traceId"], trace_id_);
    if (!span.contains("parentId")) {
      ++roots;
      EXPECT_EQ(span["localEndpoint"]["serviceName"], "gateway");
      EXPECT_EQ(span["name"], "post /api/v1/checkout");  // Zipkin keeps names in lower case
      EXPECT_EQ(span["kind"], "SERVER");
    } else {
      EXPECT_TRUE(ids.count(span["parentId"].get<std::string>())) << "orphan: " << span.dump();
    }
  }
  EXPECT_EQ(roots, 1);
  // The saga's calls, each a client span in checkout and a server span in the callee.
  for (const std::string call : {"inventoryservice/reservestock", "paymentsservice/authorize",
                                 "shippingservice/createshipment", "inventoryservice/commitreservation"}) {
    int sides = 0;
    for (const auto& span : spans) sides += span.value("name", "") == call;
    EXPECT_EQ(sides, 2) << call;
  }
  // Payments captures when the parcel leaves: its consumer span of the dispatch event (awaited
  // above) continues the shipping span that wrote that event.
  std::set<std::string> shipping_spans;
  for (const auto& span : spans) {
    if (span["localEndpoint"]["serviceName"] == "shipping") shipping_spans.insert(span["id"].get<std::string>());
  }
  int captures = 0;
  for (const auto& span : spans) {
    if (span["localEndpoint"]["serviceName"] == "payments" && span.value("kind", "") == "CONSUMER" &&
        span.value("name", "") == "storefront.shipping.shipment.dispatched.v1") {
      ++captures;
      EXPECT_TRUE(shipping_spans.count(span.value("parentId", ""))) << span.dump();
    }
  }
  EXPECT_GE(captures, 1);  // one per delivery: a redelivered or retried event has a span of its own
}

TEST_F(ObservabilityE2ETest, EveryServicesLogLinesForTheOrderCarryItsTraceId) {
  ASSERT_FALSE(trace_id_.empty());
  const std::string field = "\"trace_id\":\"" + trace_id_ + "\"";
  for (const char* process : {"gateway", "checkout", "payments", "inventory", "shipping", "cart", "catalog"}) {
    EXPECT_NE(stack_->Log(process).find(field), std::string::npos) << process << " logged nothing of " << trace_id_;
  }
}

TEST_F(ObservabilityE2ETest, TheOperatorsDashboardReadsTheStoresFiguresFromPrometheus) {
  json figures;
  auto ready = [&] {
    // Traffic for every service while Prometheus scrapes: the resilience page asks each one's ops
    // service, a counted RPC, so each job's request rate rises above zero.
    operator_->Expect(200, "GET", "/api/v1/admin/resilience");
    auto response = operator_->Call("GET", "/api/v1/admin/observability");
    if (response.status != 200) return false;
    figures = json::parse(response.body);
    std::set<std::string> up;
    for (const auto& service : figures["services"]) {
      if (service["instances_up"] == service["instances"] && service["request_rate"].is_number() &&
          service["request_rate"].get<double>() > 0) {
        up.insert(service["job"].get<std::string>());
      }
    }
    return up == std::set<std::string>{"gateway", "catalog", "cart", "checkout", "payments", "inventory", "shipping"};
  };
  ASSERT_TRUE(Eventually(ready, 60s)) << figures.dump(1);
  EXPECT_EQ(figures["prometheus_url"], "http://127.0.0.1:" + std::to_string(stack_->prometheus_port()));
  bool checkout_outbox = false;
  for (const auto& outbox : figures["outbox"]) {
    if (outbox["job"] == "checkout") {
      checkout_outbox = true;
      EXPECT_TRUE(outbox["oldest_unpublished_age_seconds"].is_number()) << outbox.dump();
    }
  }
  EXPECT_TRUE(checkout_outbox) << figures.dump(1);
  EXPECT_FALSE(figures["consumer_lag"].empty()) << figures.dump(1);
}

}  // namespace
}  // namespace storefront::e2e

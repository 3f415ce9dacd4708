// What the gateway adds to every request for observability, on real sockets: the request's
// server span (a child of the caller's traceparent, or a new trace) carried on to the upstream
// it calls, and the http_server_* figures by method, route template and status code.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>

#include "server.h"
#include "shared/metrics/metrics.h"
#include "shared/rpc/server.h"
#include "shared/rpc/status.h"
#include "shared/testing/figures.h"
#include "shared/testing/http_client.h"
#include "shared/testing/span_sink.h"
#include "shared/trace/span.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;
using storefront::testing::Figure;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;
namespace catalogpb = storefront::catalog::v1;

constexpr const char* kProduct = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kCallersTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// A catalog that remembers the trace context its handler ran in.
class TracedCatalog final : public catalogpb::CatalogService::Service {
 public:
  grpc::Status GetProduct(grpc::ServerContext* context, const catalogpb::GetProductRequest* request,
                          catalogpb::Product* response) override {
    return rpc::Handle(context, [&] {
      {
        std::lock_guard lock(mutex_);
        seen_ = trace::Current() ? std::optional(*trace::Current()) : std::nullopt;
      }
      response->set_id(request->id());
      response->set_name("Harbor Headphones");
      response->mutable_price()->set_amount_minor(12999);
      response->mutable_price()->set_currency("USD");
      response->set_active(true);
    });
  }

  std::optional<trace::SpanContext> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<trace::SpanContext> seen_;
};

class GatewayTracingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    trace::StartExport({.url = sink_.url(), .service = "gateway-test", .interval = 20ms});
    catalog_server_ = std::make_unique<rpc::Server>(rpc::ServerOptions{.listen_address = "127.0.0.1:0"});
    catalog_server_->AddService(&catalog_);
    int catalog_port = catalog_server_->Start();
    Config config;
    config.listen_address = "127.0.0.1:0";
    config.log_level = "error";
    config.catalog_address = "127.0.0.1:" + std::to_string(catalog_port);
    gateway_ = std::make_unique<Server>(config);
    port_ = gateway_->Start();
  }

  void TearDown() override {
    gateway_->Stop();
    catalog_server_->Shutdown();
    trace::StopExport();
    trace::SetSamplePercent(100);
  }

  HttpResponse Get(const std::string& path, const std::map<std::string, std::string>& headers = {}) {
    HttpConnection connection(port_, 10s);
    auto response = connection.Request("GET", path, "", headers);
    EXPECT_TRUE(response) << "no answer to " << path;
    return response.value_or(HttpResponse{});
  }

  // The spans of `trace_id` once `count` of them have arrived.
  std::vector<nlohmann::json> SpansOf(const std::string& trace_id, std::size_t count) {
    auto of_trace = [&](const std::vector<nlohmann::json>& spans) {
      std::vector<nlohmann::json> found;
      for (const auto& span : spans) {
        if (span["traceId"] == trace_id) found.push_back(span);
      }
      return found;
    };
    EXPECT_TRUE(sink_.WaitFor([&](const auto& spans) { return of_trace(spans).size() >= count; }))
        << of_trace(sink_.Spans()).size() << " spans of " << trace_id;
    return of_trace(sink_.Spans());
  }

  static nlohmann::json Find(const std::vector<nlohmann::json>& spans, const std::string& kind) {
    for (const auto& span : spans) {
      if (span.value("kind", "") == kind) return span;
    }
    ADD_FAILURE() << "no " << kind << " span";
    return nlohmann::json::object({{"id", "none"}});
  }

  testing::SpanSink sink_;
  TracedCatalog catalog_;
  std::unique_ptr<rpc::Server> catalog_server_;
  std::unique_ptr<Server> gateway_;
  int port_ = 0;
};

TEST_F(GatewayTracingTest, ARequestContinuesItsCallersTraceIntoTheUpstream) {
  auto response = Get(std::string("/api/v1/products/") + kProduct, {{"traceparent", kCallersTrace}});
  ASSERT_EQ(response.status, 200) << response.body;
  // gateway server span, gateway client span, catalog server span
  auto spans = SpansOf("4bf92f3577b34da6a3ce929d0e0e4736", 3);
  ASSERT_EQ(spans.size(), 3u);
  // The gateway's span is the child of the caller's.
  auto gateway_span = std::find_if(spans.begin(), spans.end(),
                                   [](const auto& s) { return s.value("parentId", "") == "00f067aa0ba902b7"; });
  ASSERT_NE(gateway_span, spans.end());
  const auto& gateway = *gateway_span;
  EXPECT_EQ(gateway["kind"], "SERVER");
  EXPECT_EQ(gateway["name"], "GET /api/v1/products/:id");
  EXPECT_EQ(gateway["tags"]["http.status_code"], "200");
  const auto& client = Find(spans, "CLIENT");
  EXPECT_EQ(client["parentId"], gateway["id"]);
  auto seen = catalog_.seen();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  for (const auto& span : spans) {
    if (span["id"] == seen->SpanIdHex()) EXPECT_EQ(span["parentId"], client["id"]) << "the catalog's server span";
  }
}

TEST_F(GatewayTracingTest, ARequestWithoutATraceparentStartsATraceAndAnUnsampledOneRecordsNothing) {
  ASSERT_EQ(Get(std::string("/api/v1/products/") + kProduct, {{"traceparent", "garbage"}}).status, 200);
  auto first = catalog_.seen();
  ASSERT_TRUE(first.has_value());
  EXPECT_NE(first->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  auto spans = SpansOf(first->TraceIdHex(), 3);
  auto roots = std::count_if(spans.begin(), spans.end(), [](const auto& s) { return !s.contains("parentId"); });
  EXPECT_EQ(roots, 1) << "one root: the gateway's span";
  for (const auto& span : spans) {
    if (!span.contains("parentId")) EXPECT_EQ(span["name"], "GET /api/v1/products/:id");
  }

  trace::SetSamplePercent(0);
  const auto before = sink_.Spans().size();
  ASSERT_EQ(Get(std::string("/api/v1/products/") + kProduct).status, 200);
  auto unsampled = catalog_.seen();
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_FALSE(unsampled->sampled) << "the decision travels with the trace";
  EXPECT_NE(unsampled->TraceIdHex(), first->TraceIdHex()) << "the ids still tie the logs together";
  std::this_thread::sleep_for(200ms);  // several export intervals: nothing may arrive
  EXPECT_EQ(sink_.Spans().size(), before);
}

TEST_F(GatewayTracingTest, TheGatewayDecidesWhatIsRecordedNotTheCaller) {
  trace::SetSamplePercent(0);
  const auto before = sink_.Spans().size();
  ASSERT_EQ(Get(std::string("/api/v1/products/") + kProduct, {{"traceparent", kCallersTrace}}).status, 200);
  auto seen = catalog_.seen();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736") << "the caller's trace id is kept";
  EXPECT_FALSE(seen->sampled) << "its sampled flag is not";
  std::this_thread::sleep_for(200ms);  // several export intervals: nothing may arrive
  EXPECT_EQ(sink_.Spans().size(), before);
}

TEST_F(GatewayTracingTest, ARequestRefusedBeforeItsHandlerIsCountedUnderItsRoute) {
  const std::string refused = "http_server_requests_total{code=\"415\",method=\"GET\",route=\"/api/v1/products/:id\"}";
  double before = Figure(refused);
  HttpConnection connection(port_, 10s);
  auto response = connection.Request("GET", std::string("/api/v1/products/") + kProduct, "plain words",
                                     {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 415);
  EXPECT_EQ(Figure(refused) - before, 1);
}

TEST_F(GatewayTracingTest, RequestsAreCountedByMethodRouteTemplateAndStatus) {
  const std::string product = "http_server_requests_total{code=\"200\",method=\"GET\",route=\"/api/v1/products/:id\"}";
  const std::string unmatched = "http_server_requests_total{code=\"404\",method=\"GET\",route=\"unmatched\"}";
  const std::string durations =
      "http_server_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/products/:id\"}";
  double product_before = Figure(product), unmatched_before = Figure(unmatched), durations_before = Figure(durations);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Get(std::string("/api/v1/products/") + kProduct).status, 200);
  ASSERT_EQ(Get("/no/such/route/4711").status, 404);
  EXPECT_EQ(Figure(product) - product_before, 3) << "one series for every product id";
  EXPECT_EQ(Figure(unmatched) - unmatched_before, 1);
  EXPECT_EQ(Figure(durations) - durations_before, 3);
  EXPECT_EQ(metrics::Text().find(kProduct), std::string::npos) << "no id in any label";
  EXPECT_EQ(Figure("http_server_requests_in_flight"), 0);
}

}  // namespace
}  // namespace storefront::gateway

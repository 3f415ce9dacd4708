// What the interceptors add to every call, against real servers on loopback: the figures of both
// sides by method and status code, and one trace across two hops, each server span a child of
// its caller's client span and current while the handler runs.
#include <gtest/gtest.h>

#include <future>

#include "shared/errors/errors.h"
#include "shared/metrics/metrics.h"
#include "shared/rpc/client.h"
#include "shared/rpc/server.h"
#include "shared/rpc/status.h"
#include "shared/testing/figures.h"
#include "shared/testing/span_sink.h"
#include "shared/trace/span.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::rpc {
namespace {

using namespace std::chrono_literals;
using storefront::testing::Figure;
namespace pb = storefront::catalog::v1;

// GetProduct answers NOT_FOUND for id "missing"; ListProducts calls GetProduct on `downstream`
// (a second hop). Each remembers the context current inside its handler.
class TracedCatalog final : public pb::CatalogService::Service {
 public:
  Client<pb::CatalogService>* downstream = nullptr;
  std::optional<trace::SpanContext> seen_in_get, seen_in_list;

  grpc::Status GetProduct(grpc::ServerContext* context, const pb::GetProductRequest* request,
                          pb::Product* response) override {
    return Handle(context, [&] {
      if (trace::Current()) seen_in_get = *trace::Current();
      if (request->id() == "missing") throw NotFound("no such product");
      response->set_id(request->id());
    });
  }

  grpc::Status ListProducts(grpc::ServerContext* context, const pb::ListProductsRequest*,
                            pb::ListProductsResponse*) override {
    return Handle(context, [&] {
      if (trace::Current()) seen_in_list = *trace::Current();
      pb::GetProductRequest request;
      request.set_id("p-1");
      pb::Product product;
      auto status = downstream->Call("", &pb::CatalogService::StubInterface::GetProduct, request, &product);
      if (!status.ok()) throw Unavailable(status.error_message());
    });
  }
};

std::string Handled(std::string_view side, std::string_view method, std::string_view code) {
  return "grpc_" + std::string(side) + "_handled_total{grpc_code=\"" + std::string(code) +
         "\",grpc_method=\"" + std::string(method) + "\",grpc_service=\"storefront.catalog.v1.CatalogService\"}";
}

class RpcObservabilityTest : public ::testing::Test {
 protected:
  RpcObservabilityTest() {
    trace::StartExport({.url = sink.url(), .service = "catalog", .interval = 20ms});
    second_server.AddService(&second);
    int second_port = second_server.Start();
    to_second = std::make_unique<Client<pb::CatalogService>>(
        ClientOptions{.target = "127.0.0.1:" + std::to_string(second_port), .upstream = "catalog"});
    first.downstream = to_second.get();
    first_server.AddService(&first);
    int first_port = first_server.Start();
    to_first = std::make_unique<Client<pb::CatalogService>>(
        ClientOptions{.target = "127.0.0.1:" + std::to_string(first_port), .upstream = "catalog"});
  }
  ~RpcObservabilityTest() override {
    first_server.Shutdown();
    second_server.Shutdown();
    trace::StopExport();
  }

  testing::SpanSink sink;
  TracedCatalog first, second;
  Server first_server{{}}, second_server{{}};
  std::unique_ptr<Client<pb::CatalogService>> to_first, to_second;
};

TEST_F(RpcObservabilityTest, BothSidesCountCallsByMethodAndStatusCode) {
  double ok_before = Figure(Handled("server", "GetProduct", "OK"));
  double missing_before = Figure(Handled("server", "GetProduct", "NOT_FOUND"));
  double client_before = Figure(Handled("client", "GetProduct", "NOT_FOUND"));
  double durations_before = Figure(
      "grpc_server_handling_seconds_count{grpc_method=\"GetProduct\",grpc_service=\"storefront.catalog.v1.CatalogService\"}");
  pb::GetProductRequest request;
  pb::Product product;
  request.set_id("p-1");
  ASSERT_TRUE(to_second->Call("", &pb::CatalogService::StubInterface::GetProduct, request, &product).ok());
  request.set_id("missing");
  EXPECT_EQ(to_second->Call("", &pb::CatalogService::StubInterface::GetProduct, request, &product).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Figure(Handled("server", "GetProduct", "OK")) - ok_before, 1);
  EXPECT_EQ(Figure(Handled("server", "GetProduct", "NOT_FOUND")) - missing_before, 1);
  EXPECT_EQ(Figure(Handled("client", "GetProduct", "NOT_FOUND")) - client_before, 1);
  EXPECT_EQ(Figure("grpc_server_handling_seconds_count{grpc_method=\"GetProduct\",grpc_service=\"storefront.catalog."
                   "v1.CatalogService\"}") -
                durations_before,
            2);
}

TEST_F(RpcObservabilityTest, HealthChecksAreNotCounted) {
  ASSERT_TRUE(CheckHealth(to_first->channel(), 1s, ""));
  EXPECT_EQ(metrics::Text().find("grpc.health.v1.Health"), std::string::npos);
}

TEST_F(RpcObservabilityTest, TwoHopsAreOneTraceEachServerSpanAChildOfItsCaller) {
  auto root = trace::Span::Root("test request", trace::Kind::kServer);
  std::string trace_id = root.context().TraceIdHex();
  {
    trace::ContextScope scope(root.context());
    pb::ListProductsRequest request;
    pb::ListProductsResponse response;
    ASSERT_TRUE(to_first->Call("", &pb::CatalogService::StubInterface::ListProducts, request, &response).ok());
  }
  root.End();
  // test request -> client ListProducts -> server ListProducts -> client GetProduct -> server GetProduct
  ASSERT_TRUE(sink.WaitFor([&](const auto& spans) {
    return std::count_if(spans.begin(), spans.end(), [&](const auto& s) { return s["traceId"] == trace_id; }) == 5;
  }));
  std::map<std::string, nlohmann::json> by_name_and_kind;
  for (const auto& span : sink.Spans()) {
    if (span["traceId"] == trace_id) by_name_and_kind[span["name"].get<std::string>() + " " + span.value("kind", "")] = span;
  }
  const auto& list_client = by_name_and_kind.at("CatalogService/ListProducts CLIENT");
  const auto& list_server = by_name_and_kind.at("CatalogService/ListProducts SERVER");
  const auto& get_client = by_name_and_kind.at("CatalogService/GetProduct CLIENT");
  const auto& get_server = by_name_and_kind.at("CatalogService/GetProduct SERVER");
  EXPECT_EQ(list_client["parentId"], root.context().SpanIdHex());
  EXPECT_EQ(list_server["parentId"], list_client["id"]);
  EXPECT_EQ(get_client["parentId"], list_server["id"]);
  EXPECT_EQ(get_server["parentId"], get_client["id"]);
  EXPECT_EQ(get_server["tags"]["rpc.grpc.status_code"], "OK");
  // Inside each handler, its own server span was current.
  ASSERT_TRUE(first.seen_in_list && second.seen_in_get);
  EXPECT_EQ(first.seen_in_list->SpanIdHex(), list_server["id"]);
  EXPECT_EQ(second.seen_in_get->SpanIdHex(), get_server["id"]);
}

TEST_F(RpcObservabilityTest, AnAsynchronousCallsAnswerIsHandledInTheCallersTrace) {
  auto root = trace::Span::Root("test request", trace::Kind::kServer);
  std::promise<std::optional<trace::SpanContext>> seen;
  {
    trace::ContextScope scope(root.context());
    pb::GetProductRequest request;
    request.set_id("p-3");
    to_second->Async<pb::Product>(
        CallFor{.request_id = "", .since = std::nullopt}, request,
        [this](auto* context, auto* req, auto* resp, auto done) {
          to_second->stub().async()->GetProduct(context, req, resp, std::move(done));
        },
        [&seen](const grpc::Status&, pb::Product&) {
          seen.set_value(trace::Current() ? std::optional(*trace::Current()) : std::nullopt);
        });
  }
  auto in_callback = seen.get_future().get();  // on a gRPC thread, after the scope above ended
  ASSERT_TRUE(in_callback.has_value());
  EXPECT_EQ(in_callback->SpanIdHex(), root.context().SpanIdHex());
}

TEST_F(RpcObservabilityTest, ACallWithABadTraceparentStartsATraceOfItsOwn) {
  auto stub = pb::CatalogService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(second_server.port()),
                                                              grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("traceparent", "00-not-a-trace-01");
  pb::GetProductRequest request;
  request.set_id("p-2");
  pb::Product product;
  second.seen_in_get.reset();
  ASSERT_TRUE(stub->GetProduct(&context, request, &product).ok());
  ASSERT_TRUE(second.seen_in_get.has_value());
  std::string trace_id = second.seen_in_get->TraceIdHex();
  ASSERT_TRUE(sink.WaitFor([&](const auto& spans) {
    return std::any_of(spans.begin(), spans.end(), [&](const auto& s) { return s["traceId"] == trace_id; });
  }));
  for (const auto& span : sink.Spans()) {
    if (span["traceId"] == trace_id) EXPECT_FALSE(span.contains("parentId")) << span.dump();
  }
}

}  // namespace
}  // namespace storefront::rpc

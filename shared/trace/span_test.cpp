#include "shared/trace/span.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "shared/testing/figures.h"
#include "shared/testing/span_sink.h"

namespace storefront::trace {
namespace {

double Dropped() { return storefront::testing::Figure("trace_spans_dropped_total"); }

// Spans record only while an export runs: every test has one, to a sink of its own, unless it
// starts another or stops it.
class SpanTest : public ::testing::Test {
 protected:
  void SetUp() override { StartExport({.url = sink_.url(), .service = "test", .interval = std::chrono::milliseconds(20)}); }
  void TearDown() override {
    StopExport();
    SetSamplePercent(100);
  }

  testing::SpanSink sink_;
};

TEST_F(SpanTest, AChildKeepsTheTraceAndGetsASpanOfItsOwn) {
  auto root = Span::Root("checkout", Kind::kServer);
  auto child = Span::ChildOf(root.context(), "reserve stock", Kind::kClient);
  EXPECT_EQ(child.context().trace_id, root.context().trace_id);
  EXPECT_NE(child.context().span_id, root.context().span_id);
  EXPECT_TRUE(child.recording());
}

TEST_F(SpanTest, StartContinuesTheCurrentContextOrBeginsATrace) {
  auto root = Span::Root("request", Kind::kServer);
  {
    ContextScope scope(root.context());
    EXPECT_EQ(Span::Start("inner", Kind::kInternal).context().trace_id, root.context().trace_id);
  }
  EXPECT_NE(Span::Start("other", Kind::kInternal).context().trace_id, root.context().trace_id);
}

TEST_F(SpanTest, AnUnsampledTraceRecordsNothingButStillTravels) {
  SetSamplePercent(0);
  auto root = Span::Root("request", Kind::kServer);
  EXPECT_FALSE(root.context().sampled);
  EXPECT_FALSE(root.recording());
  auto child = Span::ChildOf(root.context(), "call", Kind::kClient);
  EXPECT_FALSE(child.recording());
  EXPECT_EQ(child.context().trace_id, root.context().trace_id);
  EXPECT_TRUE(child.context().Traceparent().ends_with("-00"));
}

TEST_F(SpanTest, ZipkinJsonHasTheFieldsZipkinAndJaegerRead) {
  auto root = Span::Root("PlaceOrder", Kind::kServer);
  auto child = Span::ChildOf(root.context(), "Authorize", Kind::kClient);
  std::vector<Span::Record> records(1);
  records[0].context = child.context();
  records[0].parent_id = root.context().span_id;
  records[0].has_parent = true;
  records[0].name = "Authorize";
  records[0].kind = Kind::kClient;
  records[0].start = std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456));
  records[0].duration = std::chrono::microseconds(1500);
  records[0].tags = {{"rpc.grpc.status_code", "OK"}};
  auto spans = nlohmann::json::parse(ZipkinJson(records, "checkout"));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]["traceId"], child.context().TraceIdHex());
  EXPECT_EQ(spans[0]["id"], child.context().SpanIdHex());
  EXPECT_EQ(spans[0]["parentId"], root.context().SpanIdHex());
  EXPECT_EQ(spans[0]["kind"], "CLIENT");
  EXPECT_EQ(spans[0]["timestamp"], 1700000000123456);
  EXPECT_EQ(spans[0]["duration"], 1500);
  EXPECT_EQ(spans[0]["localEndpoint"]["serviceName"], "checkout");
  EXPECT_EQ(spans[0]["tags"]["rpc.grpc.status_code"], "OK");
}

TEST_F(SpanTest, EndedSpansReachTheBackendInBatches) {
  testing::SpanSink sink;
  StartExport({.url = sink.url(), .service = "catalog", .batch_size = 10, .interval = std::chrono::milliseconds(50)});
  std::string trace_id;
  {
    auto root = Span::Root("GetProduct", Kind::kServer);
    trace_id = root.context().TraceIdHex();
    for (int i = 0; i < 24; ++i) Span::ChildOf(root.context(), "query", Kind::kInternal).Tag("n", std::to_string(i));
  }
  ASSERT_TRUE(sink.WaitFor([](const auto& spans) { return spans.size() == 25; })) << sink.Spans().size();
  auto sizes = sink.BatchSizes();
  EXPECT_EQ(sizes.size(), 3u) << "at most 10 a batch, and no more batches than that takes";
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 10u);
  for (const auto& span : sink.Spans()) {
    EXPECT_EQ(span["traceId"], trace_id);
    EXPECT_EQ(span["localEndpoint"]["serviceName"], "catalog");
  }
}

TEST_F(SpanTest, StoppingTheExportSendsWhatIsQueued) {
  testing::SpanSink sink;
  StartExport({.url = sink.url(), .service = "cart", .interval = std::chrono::seconds(60)});
  Span::Root("one", Kind::kServer).End();
  Span::Root("two", Kind::kServer).End();
  StopExport();
  EXPECT_EQ(sink.Spans().size(), 2u);
}

TEST_F(SpanTest, AFullQueueDropsSpansAtOnceAndARefusedBatchIsCountedDropped) {
  testing::SpanSink sink;
  sink.Refuse(true);
  double before = Dropped();
  StartExport({.url = sink.url(), .service = "gateway", .queue_capacity = 4, .interval = std::chrono::seconds(60)});
  // The queue holds 4; the other 996 are dropped at once, never waited for.
  for (int i = 0; i < 1000; ++i) Span::Root("request", Kind::kServer).End();
  EXPECT_EQ(Dropped() - before, 996);
  StopExport();  // the last 4 are refused by the backend: dropped too
  EXPECT_EQ(Dropped() - before, 1000);
  EXPECT_TRUE(sink.Spans().empty());
}

TEST_F(SpanTest, WithoutExportNothingIsRecorded) {
  StopExport();
  auto span = Span::Root("nobody listens", Kind::kServer);
  EXPECT_FALSE(span.recording());
  EXPECT_TRUE(span.context().sampled) << "the decision still travels with the trace";
  span.End();
  testing::SpanSink sink;
  StartExport({.url = sink.url(), .service = "cart", .interval = std::chrono::milliseconds(20)});
  StopExport();
  EXPECT_TRUE(sink.Spans().empty());
}

TEST_F(SpanTest, ABackendThatHangsHoldsNeitherSpansNorTheShutdownForLong) {
  testing::SpanSink hung;
  hung.Hang(true);
  double before = Dropped();
  StartExport({.url = hung.url(), .service = "gateway", .queue_capacity = 8192, .batch_size = 100,
               .interval = std::chrono::milliseconds(20), .timeout = std::chrono::milliseconds(300)});
  // 2000 spans are 20 batches: one at a time against a backend that never answers, they would
  // hold a shutdown 20 x 300 ms. The last try is bounded as a whole.
  for (int i = 0; i < 2000; ++i) Span::Root("request", Kind::kServer).End();
  auto stopping = std::chrono::steady_clock::now();
  StopExport();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(3));
  EXPECT_EQ(Dropped() - before, 2000) << "every span was given up on, and counted";
}

}  // namespace
}  // namespace storefront::trace

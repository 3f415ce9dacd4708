// The saga's observability adapter: what it counts, and the trace recovery resumes in.
#include "clients/saga_figures.h"

#include <gtest/gtest.h>

#include "shared/testing/figures.h"
#include "shared/testing/span_sink.h"
#include "shared/trace/span.h"

namespace storefront::checkout::clients {
namespace {

using storefront::testing::Figure;

TEST(SagaFiguresTest, EndsAreCountedByOutcomeAndFailuresByCode) {
  SagaFigures figures;
  const std::string completed = "checkout_sagas_total{outcome=\"completed\"}";
  const std::string failed = "checkout_sagas_total{outcome=\"failed\"}";
  const std::string declined = "checkout_order_failures_total{failure=\"PAYMENT_DECLINED\"}";
  double completed_before = Figure(completed), failed_before = Figure(failed), declined_before = Figure(declined);
  figures.Ended(domain::OrderStatus::kConfirmed, domain::Failure::kNone);
  figures.Ended(domain::OrderStatus::kFailed, domain::Failure::kPaymentDeclined);
  figures.Ended(domain::OrderStatus::kFailed, domain::Failure::kPaymentDeclined);
  EXPECT_EQ(Figure(completed) - completed_before, 1);
  EXPECT_EQ(Figure(failed) - failed_before, 2);
  EXPECT_EQ(Figure(declined) - declined_before, 2);
  figures.StageRan("authorize_payment", "failed", std::chrono::milliseconds(40));
  EXPECT_GE(Figure("checkout_saga_step_duration_seconds_count{result=\"failed\",step=\"authorize_payment\"}"), 1);
}

TEST(SagaFiguresTest, RecoveryResumesInTheOrdersOwnTrace) {
  testing::SpanSink sink;
  trace::StartExport({.url = sink.url(), .service = "checkout", .interval = std::chrono::milliseconds(20)});
  SagaFigures figures;
  domain::Order order;
  order.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  std::string recovering_span;
  {
    auto scope = figures.Resuming(order);
    ASSERT_NE(scope, nullptr);
    ASSERT_NE(trace::Current(), nullptr);
    EXPECT_EQ(trace::Current()->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736") << "the steps it drives join it";
    recovering_span = trace::Current()->SpanIdHex();
  }
  EXPECT_EQ(trace::Current(), nullptr);
  trace::StopExport();
  auto spans = sink.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]["name"], "recover order");
  EXPECT_EQ(spans[0]["id"], recovering_span);
  EXPECT_EQ(spans[0]["parentId"], "00f067aa0ba902b7");

  order.traceparent = "";  // placed before traces were kept
  EXPECT_EQ(figures.Resuming(order), nullptr);
}

}  // namespace
}  // namespace storefront::checkout::clients

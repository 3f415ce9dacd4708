#include "clients/saga_figures.h"

#include "shared/metrics/metrics.h"
#include "shared/trace/span.h"

namespace storefront::checkout::clients {

SagaFigures::SagaFigures()
    : steps_(metrics::Histograms(
          "checkout_saga_step_duration_seconds",
          "Duration of each stage of the checkout and cancel sagas, by stage and result (advanced, failed, waiting).")),
      sagas_(metrics::Counters("checkout_sagas_total",
                               "Sagas that reached a terminal status: completed, failed or cancelled.")),
      failures_(metrics::Counters("checkout_order_failures_total", "Orders that ended FAILED, by failure code.")) {
  // Each outcome and failure code exists from the start, at 0, so a rate sees the first one.
  for (const char* outcome : {"completed", "failed", "cancelled"}) sagas_.Add({{"outcome", outcome}});
  for (auto failure : {domain::Failure::kOutOfStock, domain::Failure::kPaymentDeclined,
                       domain::Failure::kDependencyUnavailable, domain::Failure::kShippingFailed,
                       domain::Failure::kInterrupted}) {
    failures_.Add({{"failure", domain::ToString(failure)}});
  }
}

void SagaFigures::StageRan(std::string_view stage, std::string_view result, std::chrono::nanoseconds took) {
  steps_.Add({{"step", std::string(stage)}, {"result", std::string(result)}}, metrics::LatencyBuckets())
      .Observe(std::chrono::duration<double>(took).count());
}

void SagaFigures::Ended(domain::OrderStatus status, domain::Failure failure) {
  switch (status) {
    case domain::OrderStatus::kConfirmed: sagas_.Add({{"outcome", "completed"}}).Increment(); break;
    case domain::OrderStatus::kCancelled: sagas_.Add({{"outcome", "cancelled"}}).Increment(); break;
    default:
      sagas_.Add({{"outcome", "failed"}}).Increment();
      failures_.Add({{"failure", domain::ToString(failure)}}).Increment();
      break;
  }
}

std::unique_ptr<domain::SagaObserver::Scope> SagaFigures::Resuming(const domain::Order& order) {
  struct Traced : Scope {
    explicit Traced(const trace::SpanContext& parent)
        : span(trace::Span::ChildOf(parent, "recover order", trace::Kind::kInternal)), current(span.context()) {}
    trace::Span span;
    trace::ContextScope current;
  };
  auto parent = trace::ParseTraceparent(order.traceparent);
  if (!parent) return nullptr;  // placed before traces were kept: recovery starts none of its own
  return std::make_unique<Traced>(*parent);
}

}  // namespace storefront::checkout::clients

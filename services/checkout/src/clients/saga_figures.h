// The saga's figures and the trace a recovered saga continues: the adapter behind
// domain::SagaObserver (the domain names what happens; this records it with prometheus-cpp and
// shared/trace). Every label comes from a fixed set: stage and result names, statuses, failure
// codes.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include "domain/ports.h"

namespace storefront::checkout::clients {

class SagaFigures final : public domain::SagaObserver {
 public:
  SagaFigures();
  void StageRan(std::string_view stage, std::string_view result, std::chrono::nanoseconds took) override;
  void Ended(domain::OrderStatus status, domain::Failure failure) override;
  // Makes the order's own trace current, under a "recover order" span, until the scope ends.
  std::unique_ptr<Scope> Resuming(const domain::Order& order) override;

 private:
  prometheus::Family<prometheus::Histogram>& steps_;
  prometheus::Family<prometheus::Counter>& sagas_;
  prometheus::Family<prometheus::Counter>& failures_;
};

}  // namespace storefront::checkout::clients

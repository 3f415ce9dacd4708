// The dashboard's "Resilience" panel: one line saying how the breakers, bulkheads, retries and
// rate limits stand and which faults are on, then the breaker and bulkhead of every caller ->
// upstream pair, the retries per RPC and the rate-limit refusals per policy. It only shows what
// GET /admin/resilience answered; the dashboard asks on every refresh.
#pragma once

#include <QGroupBox>

#include "core/resilience_model.h"

class QLabel;
class QTableView;

namespace storefront::admin {

class ResiliencePanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit ResiliencePanel(QWidget* parent = nullptr);

  void showReport(const ResilienceReport& report);
  // The report could not be had: the tables empty (stale "closed" rows would claim a state
  // nobody checked) and the reason in words.
  void showError(const QString& message);

  QString headline() const;
  QString faultsText() const;
  const ResilienceModel* breakers() const { return &breakers_; }
  const RetriesModel* retries() const { return &retries_; }
  const RateLimitsModel* rateLimits() const { return &rateLimits_; }
  QTableView* breakersView() const { return breakersView_; }

 private:
  ResilienceModel breakers_;
  RetriesModel retries_;
  RateLimitsModel rateLimits_;
  QLabel* headline_;
  QLabel* faults_;
  QTableView* breakersView_;
  QTableView* retriesView_;
  QTableView* rateLimitsView_;
};

}  // namespace storefront::admin

// The operator's first look: sales over time (Qt Charts, from /admin/sales), how many orders
// came in today, how many products are low on stock, whether every component is up, the store's
// live figures from Prometheus (/admin/observability: requests, errors and p99 per service,
// outbox, consumer lag, dead letters) and how the breakers, bulkheads, retries and rate limits
// stand (/admin/resilience).
#pragma once

#include "app/pages/page.h"

class QChart;
class QHBoxLayout;
class QChartView;
class QComboBox;
class QLabel;

namespace storefront::admin {

class LiveFiguresPanel;
class ResiliencePanel;

class DashboardPage : public Page {
  Q_OBJECT

 public:
  explicit DashboardPage(ApiClient* api, QWidget* parent = nullptr);

  ResiliencePanel* resilience() const { return resilience_; }
  LiveFiguresPanel* liveFigures() const { return liveFigures_; }

 protected:
  void load() override;

 private:
  struct Card {
    QLabel* value;
    QLabel* caption;
  };
  Card addCard(QHBoxLayout* row, const QString& title);
  void showSales(const SalesReport& report);
  void showSalesError(const QString& message);

  QComboBox* granularity_;
  QChart* chart_;
  QChartView* chartView_;
  Card ordersToday_;
  Card lowStock_;
  Card health_;
  LiveFiguresPanel* liveFigures_;
  ResiliencePanel* resilience_;
};

}  // namespace storefront::admin

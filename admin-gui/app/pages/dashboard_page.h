// The operator's first look: sales over time (Qt Charts, from /admin/sales), how many orders
// came in today, how many products are low on stock, and whether every component is up.
#pragma once

#include "app/pages/page.h"

class QChart;
class QHBoxLayout;
class QChartView;
class QComboBox;
class QLabel;

namespace storefront::admin {

class DashboardPage : public Page {
  Q_OBJECT

 public:
  explicit DashboardPage(ApiClient* api, QWidget* parent = nullptr);

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
};

}  // namespace storefront::admin

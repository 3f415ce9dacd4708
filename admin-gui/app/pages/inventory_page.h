// Stock levels of every tracked product, the adjustment history of the selected one, and the
// adjust-with-reason dialog. "Low stock only" is a filter on the proxy, not another request.
#pragma once

#include <QSortFilterProxyModel>

#include "app/pages/page.h"
#include "core/adjustments_model.h"
#include "core/stock_model.h"

class QCheckBox;
class QLabel;
class QPushButton;
class QTableView;

namespace storefront::admin {

class InventoryPage : public Page {
  Q_OBJECT

 public:
  explicit InventoryPage(ApiClient* api, QWidget* parent = nullptr);

 protected:
  void load() override;

 private:
  std::optional<StockLevel> selected() const;
  void selectionChanged();
  void loadHistory(const QString& productId);
  void openAdjust();

  StockModel stock_;
  QSortFilterProxyModel stockProxy_;
  AdjustmentsModel history_;
  QSortFilterProxyModel historyProxy_;
  QCheckBox* lowOnly_;
  QPushButton* adjust_;
  QTableView* levels_;
  QLabel* historyTitle_;
  QLabel* historyState_;
  QTableView* historyView_;
  QString historyFor_;  // product whose history is shown
};

}  // namespace storefront::admin

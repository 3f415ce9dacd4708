// Orders, filtered on the gateway by status, customer email and creation dates; the selected
// order's detail pane shows its timeline and saga steps and offers Cancel and Refund.
#pragma once

#include <QSortFilterProxyModel>

#include "app/pages/page.h"
#include "core/orders_model.h"

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QTableView;

namespace storefront::admin {

class OrderDetailPane;

class OrdersPage : public Page {
  Q_OBJECT

 public:
  explicit OrdersPage(ApiClient* api, QWidget* parent = nullptr);

  OrderFilter filter() const;
  OrderDetailPane* detail() const { return detail_; }

 protected:
  void load() override;

 private:
  void showSelected();
  void askCancel(const Order& order);
  void askRefund(const Order& order);
  void orderChanged(const Order& order, const QString& what);

  OrdersModel model_;
  QSortFilterProxyModel proxy_;
  QComboBox* status_;
  QLineEdit* email_;
  QCheckBox* fromOn_;
  QDateEdit* from_;
  QCheckBox* toOn_;
  QDateEdit* to_;
  QTableView* view_;
  OrderDetailPane* detail_;
};

}  // namespace storefront::admin

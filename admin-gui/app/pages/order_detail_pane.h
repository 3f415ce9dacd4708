// One order in full: who, what, how much, the payment and shipment, the trace of the checkout
// that placed it, the timeline of statuses and the checkout saga's steps (with compensations),
// plus Cancel and Refund buttons that are enabled only when the order can still take them, and
// Open trace, which opens the trace's page in the tracing backend in the browser when the
// gateway gave a link (TRACE_UI_URL).
#pragma once

#include <QWidget>

#include <optional>

#include "core/dto.h"

class QLabel;
class QPushButton;
class QTreeWidget;

namespace storefront::admin {

class OrderDetailPane : public QWidget {
  Q_OBJECT

 public:
  explicit OrderDetailPane(QWidget* parent = nullptr);

  void setOrder(const Order& order);
  void clear();
  std::optional<Order> order() const { return order_; }

  QString headingText() const;
  QString traceText() const;
  QTreeWidget* itemsView() const { return items_; }
  QTreeWidget* timelineView() const { return timeline_; }
  QTreeWidget* sagaView() const { return saga_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* refundButton() const { return refund_; }
  QPushButton* traceButton() const { return trace_; }

 signals:
  void cancelRequested(const storefront::admin::Order& order);
  void refundRequested(const storefront::admin::Order& order);

 private:
  std::optional<Order> order_;
  QLabel* heading_;
  QLabel* facts_;
  QLabel* traceLabel_;
  QTreeWidget* items_;
  QTreeWidget* timeline_;
  QTreeWidget* saga_;
  QPushButton* cancel_;
  QPushButton* refund_;
  QPushButton* trace_;
};

}  // namespace storefront::admin

#include "app/pages/orders_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>

#include "app/pages/order_detail_pane.h"
#include "app/pages/refund_dialog.h"
#include "app/view_helpers.h"

namespace storefront::admin {

OrdersPage::OrdersPage(ApiClient* api, QWidget* parent) : Page(api, tr("Orders"), parent) {
  proxy_.setSourceModel(&model_);
  proxy_.setSortRole(SortRole);

  status_ = new QComboBox(this);
  status_->addItem(tr("Any status"), QString());
  for (const QString& s : orderStatuses()) status_->addItem(s, s);
  email_ = new QLineEdit(this);
  email_->setPlaceholderText(tr("Customer email"));
  email_->setClearButtonEnabled(true);
  fromOn_ = new QCheckBox(tr("From"), this);
  from_ = new QDateEdit(QDate::currentDate().addDays(-7), this);
  from_->setCalendarPopup(true);
  from_->setEnabled(false);
  toOn_ = new QCheckBox(tr("To"), this);
  to_ = new QDateEdit(QDate::currentDate(), this);
  to_->setCalendarPopup(true);
  to_->setEnabled(false);

  auto* bar = new QHBoxLayout;
  bar->addWidget(status_);
  bar->addWidget(email_, 1);
  bar->addWidget(fromOn_);
  bar->addWidget(from_);
  bar->addWidget(toOn_);
  bar->addWidget(to_);
  body()->addLayout(bar);

  view_ = new QTableView(this);
  view_->setModel(&proxy_);
  setUpTable(view_);
  view_->sortByColumn(OrdersModel::Created, Qt::DescendingOrder);
  view_->setColumnWidth(OrdersModel::Customer, 200);

  detail_ = new OrderDetailPane(this);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(detail_);
  scroll->setWidgetResizable(true);
  scroll->setMinimumWidth(380);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(view_);
  split->addWidget(scroll);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  body()->addWidget(split, 1);

  // Filters run on the gateway, so a change means a new request.
  connect(status_, &QComboBox::currentIndexChanged, this, &Page::reload);
  connect(email_, &QLineEdit::editingFinished, this, &Page::reload);
  connect(fromOn_, &QCheckBox::toggled, from_, &QWidget::setEnabled);
  connect(toOn_, &QCheckBox::toggled, to_, &QWidget::setEnabled);
  connect(fromOn_, &QCheckBox::toggled, this, &Page::reload);
  connect(toOn_, &QCheckBox::toggled, this, &Page::reload);
  connect(from_, &QDateEdit::dateChanged, this, [this] { if (fromOn_->isChecked()) reload(); });
  connect(to_, &QDateEdit::dateChanged, this, [this] { if (toOn_->isChecked()) reload(); });
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &OrdersPage::showSelected);
  connect(detail_, &OrderDetailPane::cancelRequested, this, &OrdersPage::askCancel);
  connect(detail_, &OrderDetailPane::refundRequested, this, &OrdersPage::askRefund);
}

OrderFilter OrdersPage::filter() const {
  OrderFilter f;
  f.status = status_->currentData().toString();
  f.customerEmail = email_->text().trimmed();
  // Dates are the operator's local days: from its midnight to the next day's midnight.
  if (fromOn_->isChecked()) f.createdAfter = QDateTime(from_->date(), QTime(0, 0));
  if (toOn_->isChecked()) f.createdBefore = QDateTime(to_->date().addDays(1), QTime(0, 0));
  return f;
}

void OrdersPage::load() {
  expect(1);
  api_->listOrders(filter(), this, [this](const ApiResult<ListResult<Order>>& result) {
    if (result.ok()) {
      model_.setRows(result.value().items);
      if (!view_->selectionModel()->hasSelection() && proxy_.rowCount() > 0) view_->selectRow(0);
      setSummary(tr("%1 orders%2").arg(result.value().items.size())
                     .arg(result.value().truncated ? tr(" (newest only; narrow the filter)") : QString()));
      showSelected();
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
}

void OrdersPage::showSelected() {
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  if (rows.isEmpty()) {
    detail_->clear();
    return;
  }
  detail_->setOrder(model_.rowAt(proxy_.mapToSource(rows.first()).row()));
}

void OrdersPage::orderChanged(const Order& order, const QString& what) {
  model_.upsert(order);
  showSelected();
  emit notice(tr("Order %1 %2").arg(shortId(order.orderId), what));
}

void OrdersPage::askCancel(const Order& order) {
  auto* ask = new QInputDialog(this);
  ask->setAttribute(Qt::WA_DeleteOnClose);
  ask->setWindowTitle(tr("Cancel order %1").arg(shortId(order.orderId)));
  ask->setLabelText(tr("Why is this order cancelled? The customer's stock hold and payment are released."));
  ask->setOkButtonText(tr("Cancel order"));
  ask->setCancelButtonText(tr("Keep it"));
  const QString id = order.orderId;
  connect(ask, &QInputDialog::textValueSelected, this, [this, id](const QString& reason) {
    if (reason.trimmed().isEmpty()) {
      emit notice(tr("Not cancelled: a reason is required"));
      return;
    }
    api_->cancelOrder(id, reason.trimmed(), this, [this](const ApiResult<Order>& result) {
      if (result.ok()) orderChanged(result.value(), tr("cancelled"));
      // A refusal (409: already shipped) is in the message area via ApiClient::requestFailed.
    });
  });
  ask->open();
}

void OrdersPage::askRefund(const Order& order) {
  auto* dialog = new RefundDialog(api_, order, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &RefundDialog::refunded, this, [this](const Order& o) { orderChanged(o, tr("refunded")); });
  dialog->open();
}

}  // namespace storefront::admin

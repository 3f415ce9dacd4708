#include "app/pages/shipments_page.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QPushButton>
#include <QTableView>

#include "app/view_helpers.h"

namespace storefront::admin {

ShipmentsPage::ShipmentsPage(ApiClient* api, QWidget* parent) : Page(api, tr("Shipments"), parent) {
  proxy_.setSourceModel(&model_);
  proxy_.setSortRole(SortRole);

  status_ = new QComboBox(this);
  status_->addItem(tr("Any status"), QString());
  for (const QString& s : shipmentStatuses()) status_->addItem(s, s);
  dispatch_ = new QPushButton(tr("Mark dispatched"), this);
  deliver_ = new QPushButton(tr("Mark delivered"), this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(status_);
  bar->addStretch();
  bar->addWidget(dispatch_);
  bar->addWidget(deliver_);
  body()->addLayout(bar);

  view_ = new QTableView(this);
  view_->setModel(&proxy_);
  setUpTable(view_);
  view_->sortByColumn(ShipmentsModel::Created, Qt::DescendingOrder);
  body()->addWidget(view_, 1);

  connect(status_, &QComboBox::currentIndexChanged, this, &Page::reload);
  connect(dispatch_, &QPushButton::clicked, this, [this] { advance(QStringLiteral("dispatched")); });
  connect(deliver_, &QPushButton::clicked, this, [this] { advance(QStringLiteral("delivered")); });
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ShipmentsPage::updateButtons);
  connect(&model_, &QAbstractItemModel::dataChanged, this, &ShipmentsPage::updateButtons);
  updateButtons();
}

void ShipmentsPage::load() {
  expect(1);
  api_->listShipments(status_->currentData().toString(), this, [this](const ApiResult<ListResult<Shipment>>& result) {
    if (result.ok()) {
      model_.setRows(result.value().items);
      setSummary(tr("%1 shipments").arg(result.value().items.size()));
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
}

std::optional<Shipment> ShipmentsPage::selected() const {
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return std::nullopt;
  return model_.rowAt(proxy_.mapToSource(rows.first()).row());
}

void ShipmentsPage::updateButtons() {
  const auto shipment = selected();
  const QString next = shipment ? shipment->nextStatus() : QString();
  dispatch_->setEnabled(next == u"dispatched");
  deliver_->setEnabled(next == u"delivered");
}

void ShipmentsPage::advance(const QString& toStatus) {
  const auto shipment = selected();
  if (!shipment) return;
  dispatch_->setEnabled(false);
  deliver_->setEnabled(false);
  api_->advanceShipment(shipment->id, toStatus, this, [this](const ApiResult<Shipment>& result) {
    if (result.ok()) {
      model_.upsert(result.value());
      emit notice(tr("Shipment %1 is now %2").arg(shortId(result.value().id), result.value().status));
    }
    updateButtons();
  });
}

}  // namespace storefront::admin

#include "app/pages/inventory_page.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "app/pages/adjust_dialog.h"
#include "app/view_helpers.h"

namespace storefront::admin {

InventoryPage::InventoryPage(ApiClient* api, QWidget* parent) : Page(api, tr("Inventory"), parent) {
  stockProxy_.setSourceModel(&stock_);
  stockProxy_.setSortRole(SortRole);
  stockProxy_.setSortCaseSensitivity(Qt::CaseInsensitive);
  stockProxy_.setFilterKeyColumn(StockModel::State);
  historyProxy_.setSourceModel(&history_);
  historyProxy_.setSortRole(SortRole);

  lowOnly_ = new QCheckBox(tr("Low stock only"), this);
  adjust_ = new QPushButton(tr("Adjust stock…"), this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(lowOnly_);
  bar->addStretch();
  bar->addWidget(adjust_);
  body()->addLayout(bar);

  levels_ = new QTableView(this);
  levels_->setModel(&stockProxy_);
  setUpTable(levels_);
  levels_->setColumnWidth(StockModel::Product, 280);
  levels_->sortByColumn(StockModel::Available, Qt::AscendingOrder);

  auto* historyPanel = new QWidget(this);
  historyTitle_ = new QLabel(tr("Select a product to see its adjustments."), historyPanel);
  historyTitle_->setWordWrap(true);
  historyState_ = makeProblemsLabel(historyPanel);
  historyView_ = new QTableView(historyPanel);
  historyView_->setModel(&historyProxy_);
  setUpTable(historyView_);
  historyView_->sortByColumn(AdjustmentsModel::When, Qt::DescendingOrder);
  auto* historyLayout = new QVBoxLayout(historyPanel);
  historyLayout->setContentsMargins(0, 0, 0, 0);
  historyLayout->addWidget(historyTitle_);
  historyLayout->addWidget(historyState_);
  historyLayout->addWidget(historyView_, 1);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(levels_);
  split->addWidget(historyPanel);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  body()->addWidget(split, 1);

  connect(lowOnly_, &QCheckBox::toggled, this, [this](bool on) {
    stockProxy_.setFilterRegularExpression(on ? QStringLiteral("^(low|out of stock)$") : QString());
  });
  connect(adjust_, &QPushButton::clicked, this, &InventoryPage::openAdjust);
  connect(levels_, &QTableView::doubleClicked, this, &InventoryPage::openAdjust);
  connect(levels_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &InventoryPage::selectionChanged);
  adjust_->setEnabled(false);
}

void InventoryPage::load() {
  expect(2);
  api_->listStock(this, [this](const ApiResult<ListResult<StockLevel>>& result) {
    if (result.ok()) {
      stock_.setRows(result.value().items);
      // Start with the first row selected, so its history loads as part of this refresh.
      if (!levels_->selectionModel()->hasSelection() && stockProxy_.rowCount() > 0) levels_->selectRow(0);
      int low = 0;
      for (const auto& s : result.value().items) low += s.isLow() ? 1 : 0;
      setSummary(tr("%1 products tracked, %2 low").arg(result.value().items.size()).arg(low));
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
  // Levels carry only product ids; the catalogue turns them into "SKU — name".
  api_->listProducts({}, this, [this](const ApiResult<ListResult<Product>>& result) {
    if (result.ok()) {
      QHash<QString, QString> labels;
      for (const auto& p : result.value().items) labels.insert(p.id, p.sku + QStringLiteral(" — ") + p.name);
      stock_.setProductLabels(labels);
      if (!historyFor_.isEmpty()) {
        historyTitle_->setText(tr("Adjustments of %1, newest first").arg(stock_.labelOf(historyFor_)));
      }
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
  if (!historyFor_.isEmpty()) loadHistory(historyFor_);
}

std::optional<StockLevel> InventoryPage::selected() const {
  const QModelIndexList rows = levels_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return std::nullopt;
  return stock_.rowAt(stockProxy_.mapToSource(rows.first()).row());
}

void InventoryPage::selectionChanged() {
  const auto level = selected();
  adjust_->setEnabled(level.has_value());
  if (!level) return;
  if (level->productId != historyFor_) history_.clear();
  historyFor_ = level->productId;
  loadHistory(historyFor_);
}

void InventoryPage::loadHistory(const QString& productId) {
  historyTitle_->setText(tr("Adjustments of %1, newest first").arg(stock_.labelOf(productId)));
  // During a refresh the history is one of its parts; on a click it stands alone.
  const bool partOfRefresh = isLoading();
  if (partOfRefresh) expect(1);
  api_->listAdjustments(productId, this,
                        [this, productId, partOfRefresh](const ApiResult<ListResult<Adjustment>>& result) {
                          if (productId == historyFor_) {  // else the operator has moved on
                            if (result.ok()) history_.setRows(result.value().items);
                            showProblem(historyState_, result.ok() ? QString()
                                                                   : tr("Could not load the history: %1")
                                                                         .arg(result.error().message()));
                          }
                          if (partOfRefresh) partDone(result.ok() ? nullptr : &result.error());
                        });
}

void InventoryPage::openAdjust() {
  const auto level = selected();
  if (!level) return;
  auto* dialog = new AdjustDialog(api_, *level, stock_.labelOf(level->productId), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &AdjustDialog::adjusted, this, [this](const AdjustmentResult& result) {
    stock_.upsert(result.level);
    if (result.adjustment.productId == historyFor_ || result.level.productId == historyFor_) {
      loadHistory(historyFor_);
    }
    emit notice(tr("Stock of %1 is now %2 on hand")
                    .arg(stock_.labelOf(result.level.productId))
                    .arg(result.level.onHand));
  });
  dialog->open();
}

}  // namespace storefront::admin

#include "app/pages/live_figures_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {
namespace {

QTableView* makeTable(QAbstractItemModel* model, int stretchColumn, QWidget* parent) {
  auto* view = new QTableView(parent);
  view->setModel(model);
  setUpTable(view, ColumnWidths::SetByCaller);
  view->setSortingEnabled(false);  // the gateway's order: the gateway first, then the services
  // Tighter rows than the other tables: every service fits beside the chart without scrolling.
  view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 4);
  // Numbers fit their content on every refresh; the name column takes what is left.
  view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  view->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
  view->horizontalHeader()->setStretchLastSection(false);
  view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  return view;
}

}  // namespace

LiveFiguresPanel::LiveFiguresPanel(QWidget* parent) : QGroupBox(tr("Live figures (Prometheus)"), parent) {
  setToolTip(tr("Read by the gateway from Prometheus on every refresh (GET /api/v1/admin/observability)"));
  headline_ = new QLabel(tr("Not loaded yet"), this);
  headline_->setWordWrap(true);
  headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont bold = headline_->font();
  bold.setBold(true);
  headline_->setFont(bold);

  servicesView_ = makeTable(&services_, ServiceFiguresModel::Service, this);
  topicsView_ = makeTable(&topics_, TopicFiguresModel::Topic, this);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(headline_);
  layout->addWidget(servicesView_, 3);
  layout->addWidget(new QLabel(tr("Consumers"), this));
  layout->addWidget(topicsView_, 2);
}

QString LiveFiguresPanel::headline() const { return headline_->text(); }

void LiveFiguresPanel::showReport(const ObservabilityReport& report) {
  services_.setRows(serviceRows(report));
  topics_.setRows(topicRows(report));
  setTitle(figuresSource(report));
  headline_->setText(figuresHeadline(report));
  setTone(headline_, figuresTone(report));
}

void LiveFiguresPanel::showError(const ApiError& error) {
  services_.clear();
  topics_.clear();
  setTitle(tr("Live figures (Prometheus)"));  // no time: nothing was read
  headline_->setText(figuresErrorText(error));
  setTone(headline_, figuresErrorTone(error));
}

}  // namespace storefront::admin

#include "app/pages/resilience_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {
namespace {

QTableView* makeTable(QAbstractItemModel* model, QWidget* parent) {
  auto* view = new QTableView(parent);
  view->setModel(model);
  setUpTable(view, ColumnWidths::SetByCaller);
  view->setSortingEnabled(false);  // the gateway's order: its own clients first, then checkout's
  view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
  return view;
}

}  // namespace

ResiliencePanel::ResiliencePanel(QWidget* parent) : QGroupBox(tr("Resilience"), parent) {
  headline_ = new QLabel(tr("Not loaded yet"), this);
  headline_->setWordWrap(true);
  headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont bold = headline_->font();
  bold.setBold(true);
  headline_->setFont(bold);
  faults_ = new QLabel(this);
  faults_->setWordWrap(true);
  faults_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  breakersView_ = makeTable(&breakers_, this);
  retriesView_ = makeTable(&retries_, this);
  rateLimitsView_ = makeTable(&rateLimits_, this);
  // A panel to read at a glance, not to arrange: the breaker table's columns fit their content
  // on every refresh and Detail takes what is left (elided, in full in its tooltip); the side
  // tables share their width out.
  breakersView_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  breakersView_->horizontalHeader()->setSectionResizeMode(ResilienceModel::Detail, QHeaderView::Stretch);
  breakersView_->horizontalHeader()->setMinimumSectionSize(48);
  for (QTableView* side : {retriesView_, rateLimitsView_}) {
    // Every section stretches; a stretched last section on top of that overflows the width.
    side->horizontalHeader()->setStretchLastSection(false);
    side->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    side->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  }

  auto* side = new QVBoxLayout;
  side->addWidget(new QLabel(tr("Retries"), this));
  side->addWidget(retriesView_, 1);
  side->addWidget(new QLabel(tr("Rate limits"), this));
  side->addWidget(rateLimitsView_, 1);
  auto* tables = new QHBoxLayout;
  tables->addWidget(breakersView_, 5);
  tables->addLayout(side, 2);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(headline_);
  layout->addWidget(faults_);
  layout->addLayout(tables, 1);
}

QString ResiliencePanel::headline() const { return headline_->text(); }
QString ResiliencePanel::faultsText() const { return faults_->text(); }

void ResiliencePanel::showReport(const ResilienceReport& report) {
  breakers_.setRows(report.upstreams);
  retries_.setRows(report.retries);
  rateLimits_.setRows(rateLimitRows(report));
  headline_->setText(resilienceHeadline(report));
  setTone(headline_, resilienceTone(report));
  faults_->setText(faultsLine(report.faults) +
                   (report.faults.isEmpty() ? tr(" (the Fault lab page switches them on)") : QString()));
  setTone(faults_, report.faults.isEmpty() ? Tone::Neutral : Tone::Warning);
}

void ResiliencePanel::showError(const QString& message) {
  breakers_.clear();
  retries_.clear();
  rateLimits_.clear();
  headline_->setText(tr("Resilience unknown: %1").arg(message));
  setTone(headline_, Tone::Bad);
  faults_->clear();
}

}  // namespace storefront::admin

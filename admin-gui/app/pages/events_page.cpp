#include "app/pages/events_page.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {
namespace {

// shared/events/topics.h, offered until /admin/topics has answered (or if it cannot).
const QStringList kKnownTopics = {"storefront.checkout.order.v1", "storefront.inventory.stock.v1",
                                  "storefront.shipping.shipment.v1", "storefront.payments.payment.v1",
                                  "storefront.catalog.product.v1"};

}  // namespace

EventsPage::EventsPage(ApiClient* api, QWidget* parent) : Page(api, tr("Events"), parent) {
  eventsProxy_.setSourceModel(&events_);
  eventsProxy_.setSortRole(SortRole);
  deadProxy_.setSourceModel(&deadLetters_);
  deadProxy_.setSortRole(SortRole);

  topic_ = new QComboBox(this);
  topic_->setEditable(true);
  topic_->setMinimumWidth(300);
  topic_->addItems(kKnownTopics);
  limit_ = new QSpinBox(this);
  limit_->setRange(1, 200);
  limit_->setValue(50);
  limit_->setPrefix(tr("newest "));
  topicInfo_ = new QLabel(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Topic"), this));
  bar->addWidget(topic_);
  bar->addWidget(limit_);
  bar->addWidget(topicInfo_, 1);
  body()->addLayout(bar);

  eventsView_ = new QTableView(this);
  eventsView_->setModel(&eventsProxy_);
  setUpTable(eventsView_);
  eventsView_->sortByColumn(EventsModel::Occurred, Qt::DescendingOrder);
  eventsView_->setColumnWidth(EventsModel::Type, 300);
  payload_ = new QPlainTextEdit(this);
  payload_->setReadOnly(true);
  payload_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  payload_->setPlaceholderText(tr("Select an event to see its payload."));
  auto* eventsSplit = new QSplitter(Qt::Horizontal, this);
  eventsSplit->addWidget(eventsView_);
  eventsSplit->addWidget(payload_);
  eventsSplit->setStretchFactor(0, 3);
  eventsSplit->setStretchFactor(1, 2);

  auto* deadPanel = new QWidget(this);
  deadView_ = new QTableView(deadPanel);
  deadView_->setModel(&deadProxy_);
  setUpTable(deadView_);
  deadView_->sortByColumn(DeadLettersModel::At, Qt::DescendingOrder);
  replay_ = new QPushButton(tr("Replay to original topic"), deadPanel);
  replay_->setEnabled(false);
  auto* deadBar = new QHBoxLayout;
  deadBar->addWidget(new QLabel(tr("Messages a consumer could not process. Fix the cause, then replay."), deadPanel), 1);
  deadBar->addWidget(replay_);
  auto* deadLayout = new QVBoxLayout(deadPanel);
  deadLayout->addLayout(deadBar);
  deadLayout->addWidget(deadView_, 1);

  tabs_ = new QTabWidget(this);
  tabs_->addTab(eventsSplit, tr("Recent events"));
  tabs_->addTab(deadPanel, tr("Dead letters"));
  body()->addWidget(tabs_, 1);

  connect(topic_, &QComboBox::currentTextChanged, this, &Page::reload);
  connect(limit_, &QSpinBox::editingFinished, this, &Page::reload);
  connect(eventsView_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &EventsPage::showPayload);
  connect(&events_, &QAbstractItemModel::dataChanged, this, &EventsPage::showPayload);
  connect(deadView_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          [this] { replay_->setEnabled(deadView_->selectionModel()->hasSelection()); });
  connect(replay_, &QPushButton::clicked, this, &EventsPage::replaySelected);
}

void EventsPage::load() {
  expect(topicsLoaded_ ? 2 : 3);
  if (!topicsLoaded_) {
    api_->listTopics(this, [this](const ApiResult<QList<Topic>>& result) {
      if (result.ok()) setTopics(result.value());
      partDone(result.ok() ? nullptr : &result.error());
    });
  }
  loadEvents();
  api_->listDeadLetters(200, this, [this](const ApiResult<QList<DeadLetter>>& result) {
    if (result.ok()) {
      deadLetters_.setRows(result.value());
      tabs_->setTabText(1, tr("Dead letters (%1)").arg(result.value().size()));
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
}

void EventsPage::loadEvents() {
  const QString topic = topic_->currentText().trimmed();
  api_->listEvents(topic, limit_->value(), this, [this, topic](const ApiResult<QList<Event>>& result) {
    if (result.ok() && topic == topic_->currentText().trimmed()) {
      events_.setRows(result.value());
      if (!eventsView_->selectionModel()->hasSelection() && eventsProxy_.rowCount() > 0) eventsView_->selectRow(0);
      setSummary(tr("%1 events on %2").arg(result.value().size()).arg(topic));
    }
    partDone(result.ok() ? nullptr : &result.error());
  });
}

void EventsPage::setTopics(const QList<Topic>& topics) {
  topicsLoaded_ = true;
  if (topics.isEmpty()) return;
  const QString current = topic_->currentText();
  QSignalBlocker block(topic_);
  topic_->clear();
  QStringList info;
  for (const auto& t : topics) {
    topic_->addItem(t.name);
    topic_->setItemData(topic_->count() - 1,
                        tr("produced by %1; consumed by %2").arg(t.producer, t.consumers.join(QStringLiteral(", "))),
                        Qt::ToolTipRole);
  }
  topic_->setCurrentText(current);
  const int at = topic_->findText(current);
  topicInfo_->setText(at >= 0 ? topic_->itemData(at, Qt::ToolTipRole).toString() : QString());
}

void EventsPage::showPayload() {
  const QModelIndexList rows = eventsView_->selectionModel()->selectedRows();
  if (rows.isEmpty()) {
    payload_->clear();
    return;
  }
  const Event& e = events_.rowAt(eventsProxy_.mapToSource(rows.first()).row());
  payload_->setPlainText(tr("%1\nevent %2, key %3, %4:%5\n\n")
                             .arg(e.eventType, e.eventId, e.key)
                             .arg(e.partition)
                             .arg(e.offset) +
                         QString::fromUtf8(QJsonDocument(e.payload).toJson(QJsonDocument::Indented)));
}

void EventsPage::replaySelected() {
  const QModelIndexList rows = deadView_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return;
  const DeadLetter d = deadLetters_.rowAt(deadProxy_.mapToSource(rows.first()).row());
  auto* confirm = new QMessageBox(
      QMessageBox::Question, tr("Replay dead letter"),
      tr("Put %1 (%2:%3) back on %4? Its consumers will process it again.")
          .arg(d.eventType)
          .arg(d.partition)
          .arg(d.offset)
          .arg(d.originalTopic),
      QMessageBox::Yes | QMessageBox::Cancel, this);
  confirm->setAttribute(Qt::WA_DeleteOnClose);
  connect(confirm, &QMessageBox::accepted, this, [this, d] {
    api_->replayDeadLetter(d.partition, d.offset, this, [this](const ApiResult<QString>& result) {
      if (!result.ok()) return;  // shown by the message area
      emit notice(tr("Replayed to %1").arg(result.value()));
      reload();
    });
  });
  confirm->open();
}

}  // namespace storefront::admin

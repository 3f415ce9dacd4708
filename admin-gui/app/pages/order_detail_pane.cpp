#include "app/pages/order_detail_pane.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "app/view_helpers.h"
#include "core/orders_model.h"
#include "core/timestamp.h"

namespace storefront::admin {
namespace {

QTreeWidget* makeList(const QStringList& headers, QWidget* parent) {
  auto* tree = new QTreeWidget(parent);
  tree->setHeaderLabels(headers);
  tree->setRootIsDecorated(false);
  tree->setSelectionMode(QAbstractItemView::NoSelection);
  tree->setAlternatingRowColors(true);
  tree->header()->setStretchLastSection(true);
  return tree;
}

QLabel* sectionTitle(const QString& text, QWidget* parent) {
  auto* label = new QLabel(QStringLiteral("<b>%1</b>").arg(text), parent);
  return label;
}

Tone sagaTone(const QString& state) {
  if (state == u"succeeded") return Tone::Good;
  if (state == u"failed") return Tone::Bad;
  if (state == u"compensated") return Tone::Warning;
  return Tone::Neutral;
}

}  // namespace

OrderDetailPane::OrderDetailPane(QWidget* parent) : QWidget(parent) {
  heading_ = new QLabel(this);
  heading_->setTextFormat(Qt::RichText);
  heading_->setWordWrap(true);
  facts_ = new QLabel(this);
  facts_->setTextFormat(Qt::RichText);
  facts_->setWordWrap(true);
  facts_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  items_ = makeList({tr("SKU"), tr("Item"), tr("Qty"), tr("Unit"), tr("Line total")}, this);
  timeline_ = makeList({tr("At"), tr("Status"), tr("Note")}, this);
  saga_ = makeList({tr("Step"), tr("State"), tr("Detail"), tr("At")}, this);
  for (QTreeWidget* tree : {items_, timeline_, saga_}) tree->setMinimumHeight(70);
  items_->setMaximumHeight(130);

  cancel_ = new QPushButton(tr("Cancel order…"), this);
  refund_ = new QPushButton(tr("Refund…"), this);
  // The checkout's trace right under the facts, where the operator looks when an order went wrong.
  traceLabel_ = new QLabel(this);
  traceLabel_->setTextFormat(Qt::RichText);
  traceLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
  trace_ = new QPushButton(tr("Open trace"), this);
  auto* trace = new QHBoxLayout;
  trace->addWidget(traceLabel_, 1);
  trace->addWidget(trace_);
  auto* actions = new QHBoxLayout;
  actions->addStretch();
  actions->addWidget(cancel_);
  actions->addWidget(refund_);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(heading_);
  layout->addWidget(facts_);
  layout->addLayout(trace);
  layout->addWidget(sectionTitle(tr("Items"), this));
  layout->addWidget(items_);
  layout->addWidget(sectionTitle(tr("Timeline"), this));
  layout->addWidget(timeline_, 1);
  layout->addWidget(sectionTitle(tr("Checkout saga"), this));
  layout->addWidget(saga_, 1);
  layout->addLayout(actions);

  connect(cancel_, &QPushButton::clicked, this, [this] {
    if (order_) emit cancelRequested(*order_);
  });
  connect(refund_, &QPushButton::clicked, this, [this] {
    if (order_) emit refundRequested(*order_);
  });
  // The browser shows the trace; the console only hands it the gateway's http(s) link.
  auto openTrace = [this] {
    if (order_ && order_->traceLink().isValid()) QDesktopServices::openUrl(order_->traceLink());
  };
  connect(trace_, &QPushButton::clicked, this, openTrace);
  connect(traceLabel_, &QLabel::linkActivated, this, openTrace);  // the trace id's link: the same URL
  clear();
}

QString OrderDetailPane::headingText() const { return heading_->text(); }
QString OrderDetailPane::traceText() const { return traceLabel_->text(); }

void OrderDetailPane::clear() {
  order_.reset();
  heading_->setText(tr("<i>Select an order to see its timeline and saga steps.</i>"));
  facts_->clear();
  items_->clear();
  timeline_->clear();
  saga_->clear();
  cancel_->setEnabled(false);
  refund_->setEnabled(false);
  traceLabel_->clear();
  trace_->setEnabled(false);
  trace_->setToolTip(QString());
}

void OrderDetailPane::setOrder(const Order& o) {
  order_ = o;
  const QColor statusColor = toneColor(OrdersModel::toneOf(o.status));
  heading_->setText(QStringLiteral("<span style='font-size:large'><b>Order %1</b></span> &nbsp; "
                                   "<span style='color:%2'><b>%3</b></span>")
                        .arg(o.orderId.toHtmlEscaped(), statusColor.isValid() ? statusColor.name() : QStringLiteral("inherit"),
                             o.status.toHtmlEscaped()));

  QStringList facts;
  facts << tr("Customer: %1").arg(o.customerEmail.toHtmlEscaped());
  facts << tr("Placed: %1 · updated %2").arg(formatTimestamp(o.createdAt), formatTimestamp(o.updatedAt));
  facts << tr("Total: <b>%1</b> (items %2 + shipping %3, %4)")
               .arg(formatMoney(o.total), formatMoney(o.subtotal), formatMoney(o.shippingPrice),
                    o.shippingOptionId.toHtmlEscaped());
  if (o.payment) {
    facts << tr("Payment: %1, %2 ending %3")
                 .arg(o.payment->status.toHtmlEscaped(), o.payment->cardBrand.toHtmlEscaped(),
                      o.payment->cardLast4.toHtmlEscaped());
  } else {
    facts << tr("Payment: none");
  }
  if (o.shipment) {
    facts << tr("Shipment: %1 with %2, tracking %3")
                 .arg(o.shipment->status.toHtmlEscaped(), o.shipment->carrier.toHtmlEscaped(),
                      o.shipment->trackingNumber.toHtmlEscaped());
  } else {
    facts << tr("Shipment: none");
  }
  facts << tr("Ship to: %1").arg(o.shippingAddress.oneLine().toHtmlEscaped());
  if (!o.failure.isEmpty()) {
    facts << QStringLiteral("<span style='color:%1'>%2</span>")
                 .arg(toneColor(Tone::Bad).name(),
                      tr("Failed: %1 — %2").arg(o.failure, o.failureReason).toHtmlEscaped());
  }
  facts_->setText(facts.join(QStringLiteral("<br>")));

  items_->clear();
  for (const auto& item : o.items) {
    auto* row = new QTreeWidgetItem(items_, {item.sku, item.name, QString::number(item.quantity),
                                             formatMoney(item.unitPrice), formatMoney(item.lineTotal)});
    for (int c : {2, 3, 4}) row->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
  }

  timeline_->clear();
  for (const auto& entry : o.timeline) {
    auto* row = new QTreeWidgetItem(timeline_, {formatTimestamp(entry.at), entry.status, entry.note});
    const QColor color = toneColor(OrdersModel::toneOf(entry.status));
    if (color.isValid()) row->setForeground(1, color);
  }

  saga_->clear();
  for (const auto& step : o.sagaSteps) {
    auto* row = new QTreeWidgetItem(saga_, {step.name, step.state, step.detail, formatTimestamp(step.at)});
    const QColor color = toneColor(sagaTone(step.state));
    if (color.isValid()) row->setForeground(1, color);
  }
  for (QTreeWidget* tree : {items_, timeline_, saga_}) {
    for (int c = 0; c + 1 < tree->columnCount(); ++c) tree->resizeColumnToContents(c);
  }

  cancel_->setEnabled(o.canCancel());
  refund_->setEnabled(o.canRefund());
  if (o.traceId.isEmpty()) {
    traceLabel_->setText(tr("Trace: none recorded"));
  } else if (o.traceLink().isValid()) {
    traceLabel_->setText(tr("Trace: <a href=\"%1\">%2</a>")
                             .arg(QString::fromUtf8(o.traceLink().toEncoded()).toHtmlEscaped(), o.traceId.toHtmlEscaped()));
  } else {
    traceLabel_->setText(
        tr("Trace: %1 (no tracing UI configured on the gateway: TRACE_UI_URL)").arg(o.traceId.toHtmlEscaped()));
  }
  trace_->setEnabled(o.traceLink().isValid());
  trace_->setToolTip(o.traceLink().isValid() ? o.traceLink().toString() : tr("No trace link for this order"));
}

}  // namespace storefront::admin

#include "app/pages/dashboard_page.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>

#include "app/pages/live_figures_panel.h"
#include "app/pages/resilience_panel.h"
#include "app/view_helpers.h"

namespace storefront::admin {

DashboardPage::DashboardPage(ApiClient* api, QWidget* parent) : Page(api, tr("Dashboard"), parent) {
  auto* cards = new QHBoxLayout;
  ordersToday_ = addCard(cards, tr("Orders today"));
  lowStock_ = addCard(cards, tr("Low-stock products"));
  health_ = addCard(cards, tr("Service health"));
  body()->addLayout(cards);

  granularity_ = new QComboBox(this);
  granularity_->addItem(tr("Last 24 hours, by hour"), QStringLiteral("hour"));
  granularity_->addItem(tr("Last 30 days, by day"), QStringLiteral("day"));
  connect(granularity_, &QComboBox::currentIndexChanged, this, &Page::reload);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Sales:"), this));
  controls->addWidget(granularity_);
  controls->addStretch();
  body()->addLayout(controls);

  chart_ = new QChart;
  chart_->setAnimationOptions(QChart::NoAnimation);  // a screenshot must show the final bars
  chart_->legend()->setAlignment(Qt::AlignBottom);
  chart_->setTitle(tr("Sales"));
  chartView_ = new QChartView(chart_, this);
  chartView_->setRenderHint(QPainter::Antialiasing);
  chartView_->setMinimumHeight(250);  // below this the hour labels are elided

  liveFigures_ = new LiveFiguresPanel(this);
  liveFigures_->setMinimumWidth(420);
  resilience_ = new ResiliencePanel(this);
  resilience_->setMinimumHeight(220);
  // Sales and the live figures side by side (a row per service fits beside 24 hourly bars), the
  // breakers below; the operator drags the borders to give either more room.
  auto* top = new QSplitter(Qt::Horizontal, this);
  top->setChildrenCollapsible(false);
  top->addWidget(chartView_);
  top->addWidget(liveFigures_);
  top->setStretchFactor(0, 1);
  top->setStretchFactor(1, 1);
  // In proportion: 24 hour labels stay whole (narrower, Qt Charts elides them) and the figures'
  // columns still fit.
  top->setSizes({620, 420});
  auto* split = new QSplitter(Qt::Vertical, this);
  split->setChildrenCollapsible(false);
  split->addWidget(top);
  split->addWidget(resilience_);
  split->setStretchFactor(0, 3);  // a row per service, and the chart's 250 pixels
  split->setStretchFactor(1, 2);  // a row per caller and upstream: a dozen on a real stack
  split->setSizes({390, 220});
  body()->addWidget(split, 1);
}

DashboardPage::Card DashboardPage::addCard(QHBoxLayout* row, const QString& title) {
  auto* box = new QGroupBox(title, this);
  auto* value = new QLabel(QStringLiteral("—"), box);
  QFont font = value->font();
  font.setPointSizeF(font.pointSizeF() * 2.2);
  font.setBold(true);
  value->setFont(font);
  auto* caption = new QLabel(box);
  caption->setWordWrap(true);
  auto* layout = new QVBoxLayout(box);
  layout->addWidget(value);
  layout->addWidget(caption);
  row->addWidget(box, 1);
  return {value, caption};
}

static void setCard(QLabel* value, QLabel* caption, const QString& number, const QString& text, Tone tone) {
  value->setText(number);
  setTone(value, tone);
  caption->setText(text);
}

void DashboardPage::load() {
  expect(6);

  api_->sales(granularity_->currentData().toString(), this, [this](const ApiResult<SalesReport>& result) {
    if (result.ok()) showSales(result.value());
    else showSalesError(result.error().message());
    partDone(result.ok() ? nullptr : &result.error());
  });

  OrderFilter today;
  today.createdAfter = QDateTime(QDate::currentDate(), QTime(0, 0));  // local midnight
  api_->listOrders(today, this, [this](const ApiResult<ListResult<Order>>& result) {
    if (result.ok()) {
      const auto& list = result.value();
      int failed = 0;
      for (const auto& o : list.items) failed += o.status == u"failed" ? 1 : 0;
      setCard(ordersToday_.value, ordersToday_.caption,
              QString::number(list.items.size()) + (list.truncated ? QStringLiteral("+") : QString()),
              tr("since midnight, %1 failed").arg(failed), Tone::Neutral);
    } else {
      setCard(ordersToday_.value, ordersToday_.caption, QStringLiteral("—"), result.error().message(), Tone::Bad);
    }
    partDone(result.ok() ? nullptr : &result.error());
  });

  api_->listLowStock(this, [this](const ApiResult<ListResult<StockLevel>>& result) {
    if (result.ok()) {
      const auto& list = result.value();
      int out = 0;
      for (const auto& s : list.items) out += s.available <= 0 ? 1 : 0;
      setCard(lowStock_.value, lowStock_.caption,
              QString::number(list.items.size()) + (list.truncated ? QStringLiteral("+") : QString()),
              tr("at or below their threshold, %1 out of stock").arg(out),
              list.items.isEmpty() ? Tone::Good : Tone::Warning);
    } else {
      setCard(lowStock_.value, lowStock_.caption, QStringLiteral("—"), result.error().message(), Tone::Bad);
    }
    partDone(result.ok() ? nullptr : &result.error());
  });

  api_->systemHealth(this, [this](const ApiResult<SystemHealth>& result) {
    if (result.ok()) {
      const SystemHealth& h = result.value();
      QStringList down;
      for (const auto& c : h.components) {
        if (!c.isUp()) down << c.name;
      }
      const int up = int(h.components.size() - down.size());
      setCard(health_.value, health_.caption, QStringLiteral("%1/%2").arg(up).arg(h.components.size()),
              down.isEmpty() ? tr("everything is up") : tr("down: %1").arg(down.join(QStringLiteral(", "))),
              down.isEmpty() ? Tone::Good : Tone::Bad);
    } else {
      setCard(health_.value, health_.caption, QStringLiteral("—"), result.error().message(), Tone::Bad);
    }
    partDone(result.ok() ? nullptr : &result.error());
  });

  api_->observability(this, [this](const ApiResult<ObservabilityReport>& result) {
    if (result.ok()) liveFigures_->showReport(result.value());
    else liveFigures_->showError(result.error());
    partDone(result.ok() ? nullptr : &result.error());
  });

  api_->resilience(this, [this](const ApiResult<ResilienceReport>& result) {
    if (result.ok()) resilience_->showReport(result.value());
    else resilience_->showError(result.error().message());
    partDone(result.ok() ? nullptr : &result.error());
  });
}

void DashboardPage::showSales(const SalesReport& report) {
  chart_->removeAllSeries();
  for (QAbstractAxis* axis : chart_->axes()) chart_->removeAxis(axis);

  const QString currency = report.currency.isEmpty() ? QStringLiteral("USD") : report.currency;
  auto* revenue = new QBarSet(tr("Revenue (%1)").arg(currency));
  auto* orders = new QLineSeries;
  orders->setName(tr("Orders"));
  QStringList labels;
  qint64 totalMinor = 0;
  qint64 totalOrders = 0;
  double scale = 1;
  for (int i = 0; i < minorDigits(currency); ++i) scale *= 10;
  const bool hourly = report.granularity != u"day";
  for (int i = 0; i < report.buckets.size(); ++i) {
    const SalesBucket& b = report.buckets[i];
    // Plotting needs a double; the totals below stay in integer minor units.
    *revenue << double(b.revenue.amountMinor) / scale;
    orders->append(i, double(b.orders));
    labels << b.start.toLocalTime().toString(hourly ? QStringLiteral("HH") : QStringLiteral("MM-dd"));
    totalMinor += b.revenue.amountMinor;
    totalOrders += b.orders;
  }
  auto* bars = new QBarSeries;
  bars->append(revenue);
  chart_->addSeries(bars);
  chart_->addSeries(orders);

  auto* x = new QBarCategoryAxis;
  x->append(labels);
  x->setTitleText(hourly ? tr("hour (local time)") : tr("day (local time)"));
  x->setLabelsAngle(hourly ? 0 : -90);
  if (hourly) {
    // 24 two-digit hours in the chart's share of the width: at the normal size Qt Charts elides
    // them to "...".
    QFont small = x->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.75);
    x->setLabelsFont(small);
  }
  auto* money = new QValueAxis;
  money->setTitleText(currency);
  money->setLabelFormat(QStringLiteral("%.0f"));
  auto* count = new QValueAxis;
  count->setTitleText(tr("orders"));
  count->setLabelFormat(QStringLiteral("%d"));
  chart_->addAxis(x, Qt::AlignBottom);
  chart_->addAxis(money, Qt::AlignLeft);
  chart_->addAxis(count, Qt::AlignRight);
  bars->attachAxis(x);
  bars->attachAxis(money);
  orders->attachAxis(x);
  orders->attachAxis(count);
  money->setMin(0);
  count->setMin(0);
  if (totalMinor == 0) money->setMax(1);
  if (totalOrders == 0) count->setMax(1);
  money->applyNiceNumbers();
  count->applyNiceNumbers();
  chart_->setTitle(tr("Sales: %1 in %2 orders (confirmed or later)")
                       .arg(formatMoney({totalMinor, currency}))
                       .arg(totalOrders));
}

void DashboardPage::showSalesError(const QString& message) {
  chart_->removeAllSeries();
  for (QAbstractAxis* axis : chart_->axes()) chart_->removeAxis(axis);
  chart_->setTitle(tr("No sales data: %1").arg(message));
}

}  // namespace storefront::admin

#include "app/pages/health_page.h"

#include <algorithm>

#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {

HealthPage::HealthPage(ApiClient* api, QWidget* parent) : Page(api, tr("System health"), parent) {
  overall_ = new QLabel(tr("Overall: unknown"), this);
  QFont font = overall_->font();
  font.setPointSizeF(font.pointSizeF() * 1.5);
  font.setBold(true);
  overall_->setFont(font);
  view_ = new QTableView(this);
  view_->setModel(&model_);
  setUpTable(view_);
  view_->setSortingEnabled(false);  // the gateway's order: services, then database, then broker
  view_->setColumnWidth(HealthModel::Name, 200);
  view_->setColumnHidden(HealthModel::Breaker, true);  // until a gateway reports breakers
  body()->addWidget(overall_);
  body()->addWidget(view_, 1);
}

void HealthPage::load() {
  expect(1);
  api_->systemHealth(this, [this](const ApiResult<SystemHealth>& result) {
    QPalette palette = overall_->palette();
    if (result.ok()) {
      const SystemHealth& h = result.value();
      model_.setRows(h.components);
      // A gateway without breakers reports none; an empty column would only look broken.
      const bool breakers = std::any_of(h.components.begin(), h.components.end(),
                                        [](const HealthComponent& c) { return !c.breaker.isEmpty(); });
      view_->setColumnHidden(HealthModel::Breaker, !breakers);
      int down = 0;
      for (const auto& c : h.components) down += c.isUp() ? 0 : 1;
      overall_->setText(tr("Overall: %1").arg(h.status));
      palette.setColor(QPalette::WindowText, toneColor(h.status == u"ok" ? Tone::Good : Tone::Bad));
      setSummary(tr("%1 components, %2 down").arg(h.components.size()).arg(down));
    } else {
      model_.clear();  // stale "ok" rows would claim a health nobody checked
      overall_->setText(tr("Overall: unknown — %1").arg(result.error().message()));
      palette.setColor(QPalette::WindowText, toneColor(Tone::Bad));
    }
    overall_->setPalette(palette);
    partDone(result.ok() ? nullptr : &result.error());
  });
}

}  // namespace storefront::admin

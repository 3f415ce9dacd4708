#include "app/pages/page.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {

Page::Page(ApiClient* api, const QString& title, QWidget* parent) : QWidget(parent), api_(api), title_(title) {
  auto* heading = new QLabel(title, this);
  QFont font = heading->font();
  font.setPointSizeF(font.pointSizeF() * 1.4);
  font.setBold(true);
  heading->setFont(font);

  state_ = new QLabel(tr("Not loaded yet"), this);
  state_->setWordWrap(true);
  state_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  state_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

  auto* header = new QHBoxLayout;
  header->addWidget(heading);
  header->addWidget(state_, 1);

  body_ = new QVBoxLayout;
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(header);
  layout->addLayout(body_, 1);
}

QString Page::stateText() const { return state_->text(); }

void Page::refresh() {
  if (isLoading()) return;
  errors_.clear();
  summary_.clear();
  state_->setText(tr("Loading…"));
  load();
  if (pending_ == 0) finishRefresh();  // a page with nothing to ask (not signed in, no selection)
}

void Page::reload() {
  if (isLoading()) {
    again_ = true;
    return;
  }
  refresh();
}

void Page::expect(int parts) { pending_ += parts; }

void Page::partDone(const ApiError* error) {
  if (error) errors_ << error->message();
  if (pending_ > 0 && --pending_ == 0) finishRefresh();
}

void Page::finishRefresh() {
  const QString now = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
  QPalette palette = state_->palette();
  if (errors_.isEmpty()) {
    palette.setColor(QPalette::WindowText, palette.color(QPalette::Active, QPalette::Text));
    state_->setText(summary_.isEmpty() ? tr("Updated %1").arg(now) : tr("Updated %1 · %2").arg(now, summary_));
  } else {
    palette.setColor(QPalette::WindowText, toneColor(Tone::Bad));
    errors_.removeDuplicates();
    state_->setText(tr("Could not load (%1): %2").arg(now, errors_.join(QStringLiteral("; "))));
  }
  state_->setPalette(palette);
  settledOnce_ = true;
  emit settled();
  if (again_) {
    again_ = false;
    if (api_->isSignedIn()) refresh();
  }
}

}  // namespace storefront::admin

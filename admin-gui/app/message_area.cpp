#include "app/message_area.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {

namespace {
constexpr int kTextRole = Qt::UserRole + 1;   // the message without time and count
constexpr int kCountRole = Qt::UserRole + 2;
}  // namespace

MessageArea::MessageArea(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("messageArea"));
  setFrameShape(QFrame::StyledPanel);
  setStyleSheet(QStringLiteral("#messageArea { background: #fdecea; border: 1px solid #f5c2c0; }"));

  latest_ = new QLabel(this);
  latest_->setWordWrap(true);
  latest_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QPalette palette = latest_->palette();
  palette.setColor(QPalette::WindowText, toneColor(Tone::Bad));
  latest_->setPalette(palette);

  toggle_ = new QPushButton(this);
  toggle_->setCheckable(true);
  auto* clear = new QPushButton(tr("Dismiss"), this);
  history_ = new QListWidget(this);
  history_->setMaximumHeight(140);
  history_->hide();

  auto* top = new QHBoxLayout;
  top->addWidget(latest_, 1);
  top->addWidget(toggle_);
  top->addWidget(clear);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 4, 8, 4);
  layout->addLayout(top);
  layout->addWidget(history_);

  connect(toggle_, &QPushButton::toggled, history_, &QWidget::setVisible);
  connect(clear, &QPushButton::clicked, this, &MessageArea::clearMessages);
  hide();
}

void MessageArea::addError(const QString& text) {
  const QString now = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
  int repeats = 1;
  for (int i = 0; i < history_->count(); ++i) {
    QListWidgetItem* item = history_->item(i);
    if (item->data(kTextRole).toString() == text) {
      repeats = item->data(kCountRole).toInt() + 1;
      delete history_->takeItem(i);
      break;
    }
  }
  auto* item = new QListWidgetItem(repeats > 1 ? QStringLiteral("%1  %2  (×%3)").arg(now, text).arg(repeats)
                                               : QStringLiteral("%1  %2").arg(now, text));
  item->setData(kTextRole, text);
  item->setData(kCountRole, repeats);
  history_->insertItem(0, item);
  while (history_->count() > kMaxMessages) delete history_->takeItem(history_->count() - 1);

  latest_->setText(item->text());
  toggle_->setText(tr("All (%1)").arg(history_->count()));
  show();
}

int MessageArea::count() const { return history_->count(); }

QString MessageArea::latest() const { return history_->count() > 0 ? history_->item(0)->data(kTextRole).toString() : QString(); }

void MessageArea::clearMessages() {
  history_->clear();
  latest_->clear();
  toggle_->setChecked(false);
  hide();
}

}  // namespace storefront::admin

#include "app/screenshot.h"

#include <QCoreApplication>
#include <QDebug>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QTimer>

namespace storefront::admin {

namespace {
constexpr int kPaintDelayMs = 600;  // layouts settle and the chart draws before the grab
}

Screenshot::Screenshot(QString file, std::chrono::milliseconds timeout, bool quitAfter, QObject* parent)
    : QObject(parent), file_(std::move(file)), timeout_(timeout), quitAfter_(quitAfter) {}

void Screenshot::start() {
  QTimer::singleShot(timeout_, this, [this] {
    QWidget* target = fallback_ ? fallback_() : nullptr;
    grabNow(target, QStringLiteral("timeout after %1 ms").arg(timeout_.count()));
  });
}

void Screenshot::capture(QWidget* target, const QString& why) {
  if (scheduled_ || done_) return;
  scheduled_ = true;
  QPointer<QWidget> guard(target);
  QTimer::singleShot(kPaintDelayMs, this, [this, guard, why] { grabNow(guard.data(), why); });
}

void Screenshot::grabNow(QWidget* target, const QString& why) {
  if (done_) return;
  done_ = true;
  bool saved = false;
  if (target) {
    QDir().mkpath(QFileInfo(file_).absolutePath());
    saved = target->grab().save(file_, "PNG");
  }
  if (saved) qInfo().noquote() << "storefront-admin: saved" << file_ << "(" + why + ")";
  else qWarning().noquote() << "storefront-admin: could not save a screenshot to" << file_;
  emit taken(saved);
  if (quitAfter_) QTimer::singleShot(0, qApp, [saved] { QCoreApplication::exit(saved ? 0 : 1); });
}

}  // namespace storefront::admin

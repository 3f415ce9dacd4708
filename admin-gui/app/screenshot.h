// --screenshot FILE: saves a PNG of a window once it shows what it should, for the docs and for
// checking the console without a person at the screen (tools/screenshots.sh runs it under
// xvfb-run). The picture is taken shortly after capture() is called (a page settled, a sign-in
// failed), leaving time to paint, or when the timeout expires, whichever comes first.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QWidget>

#include <chrono>
#include <functional>

namespace storefront::admin {

class Screenshot : public QObject {
  Q_OBJECT

 public:
  Screenshot(QString file, std::chrono::milliseconds timeout, bool quitAfter, QObject* parent = nullptr);

  // What to grab if the timeout comes first (the window if visible, else the dialog).
  void setFallback(std::function<QWidget*()> fallback) { fallback_ = std::move(fallback); }
  void start();  // starts the timeout clock
  void capture(QWidget* target, const QString& why);

 signals:
  void taken(bool saved);

 private:
  void grabNow(QWidget* target, const QString& why);

  QString file_;
  std::chrono::milliseconds timeout_;
  bool quitAfter_;
  bool scheduled_ = false;
  bool done_ = false;
  std::function<QWidget*()> fallback_;
};

}  // namespace storefront::admin

// One page of the main window. A page asks ApiClient for its data in load() and shows it; the
// main window calls refresh() when the page is opened and on every auto-refresh tick.
//
// A refresh may need several requests (the dashboard makes six). expect() counts them and
// partDone() ticks them off; when the last one is in, the page's state line says when it was
// updated, or what failed in words, and settled() is emitted (the screenshot mode waits for it).
// A tick that arrives while the previous refresh is still running is skipped, so a slow gateway
// never piles up requests.
#pragma once

#include <QStringList>
#include <QWidget>

#include "core/api_client.h"

class QLabel;
class QVBoxLayout;

namespace storefront::admin {

class Page : public QWidget {
  Q_OBJECT

 public:
  Page(ApiClient* api, const QString& title, QWidget* parent = nullptr);

  QString title() const { return title_; }
  bool isLoading() const { return pending_ > 0; }
  bool hasSettled() const { return settledOnce_; }
  QString stateText() const;

 public slots:
  // Starts a refresh unless one is running (auto-refresh ticks).
  void refresh();
  // Starts a refresh now, or right after the running one (filters changed, data edited).
  void reload();

 signals:
  void settled();
  void notice(const QString& text);  // a success worth a status-bar line

 protected:
  virtual void load() = 0;

  void expect(int parts);
  // Call once per expected part; `error` is null when that part succeeded.
  void partDone(const ApiError* error);
  // The words after "Updated hh:mm:ss · " when the refresh succeeds, e.g. "42 orders".
  void setSummary(const QString& summary) { summary_ = summary; }

  QVBoxLayout* body() const { return body_; }

  ApiClient* api_;

 private:
  void finishRefresh();

  QString title_;
  QLabel* state_;
  QVBoxLayout* body_;
  int pending_ = 0;
  bool again_ = false;
  bool settledOnce_ = false;
  QStringList errors_;
  QString summary_;
};

}  // namespace storefront::admin

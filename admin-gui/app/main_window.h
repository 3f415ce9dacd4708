// The console's frame: page list on the left, the current page on the right, the message area
// with every gateway error above it, a toolbar (refresh, pause auto-refresh, sign out) and a
// status bar (latest error or success, requests in flight, auto-refresh state, who is signed in).
//
// Only the visible page refreshes: when it is opened and then every 5 seconds, unless paused.
#pragma once

#include <QMainWindow>
#include <QMap>

class QAction;
class QLabel;
class QListWidget;
class QStackedWidget;
class QTimer;

namespace storefront::admin {

class ApiClient;
class MessageArea;
class Page;
class Preferences;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  static constexpr int kRefreshIntervalMs = 5000;

  MainWindow(ApiClient* api, Preferences* preferences, QWidget* parent = nullptr);

  // dashboard, products, inventory, orders, shipments, events, health, faults
  static QStringList pageNames();
  bool showPage(const QString& name);
  Page* currentPage() const;
  MessageArea* messages() const { return messages_; }

  // Called once signed in: shows who, refreshes the current page, starts the timer.
  void startSession();

 signals:
  // The current page finished a refresh (data or error).
  void pageSettled();
  // The session ended (expired or signed out): main() shows the sign-in dialog again.
  void signInRequested(const QString& notice);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void addPage(const QString& name, Page* page);
  void refreshCurrent();
  void setPaused(bool paused);
  void updateRefreshState();
  void endSession(const QString& notice);

  ApiClient* api_;
  Preferences* preferences_;
  QListWidget* nav_;
  QStackedWidget* stack_;
  MessageArea* messages_;
  QMap<QString, int> pageIndex_;
  QTimer* timer_;
  QAction* pause_;
  QLabel* busy_;
  QLabel* refreshState_;
  QLabel* session_;
};

}  // namespace storefront::admin

#include "app/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "app/message_area.h"
#include "app/pages/dashboard_page.h"
#include "app/pages/events_page.h"
#include "app/pages/fault_lab_page.h"
#include "app/pages/health_page.h"
#include "app/pages/inventory_page.h"
#include "app/pages/orders_page.h"
#include "app/pages/products_page.h"
#include "app/pages/shipments_page.h"
#include "app/preferences.h"
#include "core/api_client.h"

namespace storefront::admin {

QStringList MainWindow::pageNames() {
  return {"dashboard", "products", "inventory", "orders", "shipments", "events", "health", "faults"};
}

MainWindow::MainWindow(ApiClient* api, Preferences* preferences, QWidget* parent)
    : QMainWindow(parent), api_(api), preferences_(preferences) {
  setWindowTitle(tr("Storefront operator console"));

  nav_ = new QListWidget(this);
  nav_->setFixedWidth(160);
  stack_ = new QStackedWidget(this);
  messages_ = new MessageArea(this);

  addPage("dashboard", new DashboardPage(api_, this));
  addPage("products", new ProductsPage(api_, this));
  addPage("inventory", new InventoryPage(api_, this));
  addPage("orders", new OrdersPage(api_, this));
  addPage("shipments", new ShipmentsPage(api_, this));
  addPage("events", new EventsPage(api_, this));
  addPage("health", new HealthPage(api_, this));
  addPage("faults", new FaultLabPage(api_, this));

  auto* right = new QVBoxLayout;
  right->addWidget(messages_);
  right->addWidget(stack_, 1);
  auto* central = new QWidget(this);
  auto* layout = new QHBoxLayout(central);
  layout->addWidget(nav_);
  layout->addLayout(right, 1);
  setCentralWidget(central);

  auto* toolbar = addToolBar(tr("Console"));
  toolbar->setObjectName(QStringLiteral("consoleToolbar"));
  toolbar->setMovable(false);
  auto* refresh = toolbar->addAction(tr("Refresh"));
  refresh->setShortcut(QKeySequence::Refresh);
  pause_ = toolbar->addAction(tr("Pause auto-refresh"));
  pause_->setCheckable(true);
  toolbar->addSeparator();
  auto* signOut = toolbar->addAction(tr("Sign out"));

  busy_ = new QLabel(this);
  refreshState_ = new QLabel(this);
  session_ = new QLabel(tr("Not signed in"), this);
  statusBar()->addPermanentWidget(busy_);
  statusBar()->addPermanentWidget(refreshState_);
  statusBar()->addPermanentWidget(session_);

  timer_ = new QTimer(this);
  timer_->setInterval(kRefreshIntervalMs);

  connect(nav_, &QListWidget::currentRowChanged, this, [this](int row) {
    stack_->setCurrentIndex(row);
    refreshCurrent();
  });
  connect(refresh, &QAction::triggered, this, [this] {
    if (Page* page = currentPage()) page->reload();
  });
  connect(pause_, &QAction::toggled, this, &MainWindow::setPaused);
  connect(signOut, &QAction::triggered, this, [this] { endSession(tr("Signed out.")); });
  connect(timer_, &QTimer::timeout, this, &MainWindow::refreshCurrent);

  // Every failure, from any page or dialog, in words: the status bar says the latest, the
  // message area keeps them all with the operation and request id.
  connect(api_, &ApiClient::requestFailed, this, [this](const ApiError& error) {
    messages_->addError(error.describe());
    statusBar()->showMessage(error.message(), 15000);
  });
  connect(api_, &ApiClient::sessionExpired, this,
          [this] { endSession(tr("Your session has expired or was revoked; sign in again.")); });
  connect(api_, &ApiClient::busyChanged, this,
          [this](bool busy) { busy_->setText(busy ? tr("Loading…") : QString()); });

  const QByteArray geometry = preferences_->windowGeometry();
  if (geometry.isEmpty() || !restoreGeometry(geometry)) resize(1280, 800);
  setPaused(false);
  nav_->setCurrentRow(0);
}

void MainWindow::addPage(const QString& name, Page* page) {
  pageIndex_.insert(name, stack_->addWidget(page));
  nav_->addItem(page->title());
  connect(page, &Page::settled, this, [this, page] {
    if (page == currentPage()) emit pageSettled();
  });
  connect(page, &Page::notice, this, [this](const QString& text) { statusBar()->showMessage(text, 8000); });
}

bool MainWindow::showPage(const QString& name) {
  if (!pageIndex_.contains(name)) return false;
  nav_->setCurrentRow(pageIndex_.value(name));
  return true;
}

Page* MainWindow::currentPage() const { return qobject_cast<Page*>(stack_->currentWidget()); }

void MainWindow::startSession() {
  session_->setText(tr("%1 at %2").arg(api_->signedInEmail(), api_->baseUrl().toString()));
  if (!pause_->isChecked()) timer_->start();
  updateRefreshState();
  refreshCurrent();
}

void MainWindow::refreshCurrent() {
  Page* page = currentPage();
  if (!page || !api_->isSignedIn()) return;
  page->refresh();
}

void MainWindow::setPaused(bool paused) {
  if (paused) timer_->stop();
  else if (api_->isSignedIn()) timer_->start();
  pause_->setText(paused ? tr("Resume auto-refresh") : tr("Pause auto-refresh"));
  updateRefreshState();
}

void MainWindow::updateRefreshState() {
  if (pause_->isChecked()) refreshState_->setText(tr("Auto-refresh paused"));
  else if (timer_->isActive()) refreshState_->setText(tr("Auto-refresh every %1 s").arg(kRefreshIntervalMs / 1000));
  else refreshState_->setText(tr("Auto-refresh off until signed in"));
}

void MainWindow::endSession(const QString& notice) {
  timer_->stop();
  updateRefreshState();
  api_->signOut();
  session_->setText(tr("Not signed in"));
  emit signInRequested(notice);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  preferences_->setWindowGeometry(saveGeometry());
  QMainWindow::closeEvent(event);
}

}  // namespace storefront::admin

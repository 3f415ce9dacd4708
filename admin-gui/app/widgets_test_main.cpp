// admin_widgets_test: widgets need a QApplication; CTest runs it with QT_QPA_PLATFORM=offscreen.
#include <QApplication>
#include <QNetworkProxy>

#include "core/testing/test_registry.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
  return storefront::admin::testing::runRegisteredTests(argc, argv);
}

// admin_core_test: only QtCore's event loop, no GUI at all, which is the point of admin_core.
#include <QCoreApplication>
#include <QNetworkProxy>

#include "core/testing/test_registry.h"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  // The fake gateway listens on 127.0.0.1; an http_proxy in the environment must not intercept.
  QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
  return storefront::admin::testing::runRegisteredTests(argc, argv);
}

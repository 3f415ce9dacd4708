// Several QtTest classes in one test binary. Each *_test.cpp registers its class with
// ADMIN_TEST(Class); main() runs them all, or only the one named on the command line:
//   admin_core_test                 every class
//   admin_core_test MoneyTest -v2   one class, with QtTest's own options after it
#pragma once

#include <QObject>

#include <functional>
#include <memory>

namespace storefront::admin::testing {

using TestFactory = std::function<std::unique_ptr<QObject>()>;

bool registerTest(const char* name, TestFactory factory);

// Runs the registered classes; returns the number that failed (0: every test passed).
int runRegisteredTests(int argc, char** argv);

}  // namespace storefront::admin::testing

#define ADMIN_TEST(Class)                                                              \
  static const bool kRegistered##Class = ::storefront::admin::testing::registerTest( \
      #Class, [] { return std::unique_ptr<QObject>(new Class); })

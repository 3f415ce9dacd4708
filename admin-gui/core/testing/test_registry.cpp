#include "core/testing/test_registry.h"

#include <QTest>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace storefront::admin::testing {
namespace {

std::map<std::string, TestFactory>& registry() {
  static std::map<std::string, TestFactory> tests;  // sorted: a stable run order
  return tests;
}

}  // namespace

bool registerTest(const char* name, TestFactory factory) {
  registry().emplace(name, std::move(factory));
  return true;
}

int runRegisteredTests(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  std::string only;
  if (args.size() > 1 && registry().count(args[1]) > 0) {
    only = args[1];
    args.erase(args.begin() + 1);
  }
  int failed = 0;
  for (const auto& [name, factory] : registry()) {
    if (!only.empty() && name != only) continue;
    std::unique_ptr<QObject> test = factory();
    if (QTest::qExec(test.get(), int(args.size()), args.data()) != 0) ++failed;
  }
  return failed;
}

}  // namespace storefront::admin::testing

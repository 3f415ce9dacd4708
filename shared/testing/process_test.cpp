// The test support's own promises that other tests rely on.
#include "shared/testing/process.h"

#include <gtest/gtest.h>

#include <set>

namespace storefront::testing {
namespace {

// A local stack is given some thirty ports at once, none bound until its processes start: a port
// handed out twice made two of them collide (the chaos run's inventory once got Kafka's port for its
// metrics). 2,000 picks from the 12,768 ports of the range would repeat one almost surely by chance.
TEST(FreePortTest, NeverHandsOutThePortItGaveBefore) {
  std::set<int> seen;
  for (int i = 0; i < 2000; ++i) {
    const int port = FreePort();
    EXPECT_GE(port, 20000);
    EXPECT_LE(port, 32767);
    EXPECT_TRUE(seen.insert(port).second) << "port " << port << " handed out twice, at pick " << i;
  }
}

}  // namespace
}  // namespace storefront::testing

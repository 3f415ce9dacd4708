#include "shared/rpc/server.h"

#include <gtest/gtest.h>

#include "shared/rpc/client.h"

namespace storefront::rpc {
namespace {

TEST(ServerTest, ServesHealthUntilShutdown) {
  Server server({.listen_address = "127.0.0.1:0", .shutdown_grace = std::chrono::milliseconds(200)});
  int port = server.Start();
  ASSERT_GT(port, 0);
  auto channel = MakeChannel("127.0.0.1:" + std::to_string(port));
  EXPECT_TRUE(CheckHealth(*channel, std::chrono::seconds(2)));
  server.Shutdown();
  EXPECT_FALSE(CheckHealth(*channel, std::chrono::milliseconds(300)));
}

TEST(ServerTest, RefusesAnAddressItCannotBind) {
  Server first({.listen_address = "127.0.0.1:0"});
  int port = first.Start();
  Server second({.listen_address = "127.0.0.1:" + std::to_string(port)});
  EXPECT_THROW(second.Start(), std::runtime_error);
}

TEST(ClientTest, EveryContextCarriesADeadlineAndTheRequestId) {
  auto before = std::chrono::system_clock::now();
  auto context = NewContext(std::chrono::milliseconds(1500), "req-42");
  auto deadline = context->deadline();
  EXPECT_GE(deadline, before + std::chrono::milliseconds(1400));
  EXPECT_LE(deadline, std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
}

TEST(ClientTest, UnreachableServerIsNotHealthy) {
  auto channel = MakeChannel("127.0.0.1:1");
  EXPECT_FALSE(CheckHealth(*channel, std::chrono::milliseconds(300)));
}

}  // namespace
}  // namespace storefront::rpc

// End to end: two catalog replicas behind the gateway (STOREFRONT_REPLICAS=catalog=2). The gateway's
// channel holds both addresses and balances per call (round_robin); a replica SIGKILLed between
// two reads costs no read, because no call was in flight on it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/local_stack.h"
#include "shared/testing/http_client.h"

namespace storefront::e2e {
namespace {

using nlohmann::json;

// True for a live process; false for a gone one or a zombie waiting to be reaped.
bool IsRunning(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

template <typename Condition>
bool Eventually(Condition condition, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// How many GetProduct calls a catalog process has answered: its log has one line per RPC.
std::size_t GetProductCalls(const std::string& log) {
  std::size_t count = 0;
  for (std::size_t at = log.find("CatalogService/GetProduct"); at != std::string::npos;
       at = log.find("CatalogService/GetProduct", at + 1)) {
    ++count;
  }
  return count;
}

TEST(BalancingE2ETest, ReadsSpreadOverTwoCatalogReplicasAndSurviveOneBeingKilled) {
  const int second_port = testing::FreePort();
  // The development broker: nothing here consumes events, and it starts in a blink. on-failure:
  // the stack starts the killed replica again instead of stopping the store (as compose would).
  // READ_CACHE_CAPACITY=0: the gateway's read cache would answer the product reads below itself
  // after the first of each, and this test counts the reads that reach each replica.
  LocalStack stack("", {{"STOREFRONT_REPLICAS", "catalog=2"},
                        {"STOREFRONT_CATALOG_PORT_2", std::to_string(second_port)},
                        {"STOREFRONT_KAFKA", "dev"},
                        {"STOREFRONT_RESTART", "on-failure"},
                        {"READ_CACHE_CAPACITY", "0"}});
  const std::string output = testing::ReadFile(stack.state_dir() + "/stack-output.log");
  EXPECT_NE(output.find("storefront: catalog-2=127.0.0.1:" + std::to_string(second_port)), std::string::npos)
      << output;

  auto page = testing::HttpGet(stack.gateway_port(), "/api/v1/products?limit=5");
  ASSERT_EQ(page.status, 200) << page.body;
  const json items = json::parse(page.body)["items"];
  std::vector<std::string> ids;
  for (const auto& item : items) ids.push_back(item["id"]);
  ASSERT_EQ(ids.size(), 5u) << page.body;
  int reads = 0;
  auto read = [&] { return testing::HttpGet(stack.gateway_port(), "/api/v1/products/" + ids[reads++ % 5]); };

  // Both replicas answer product reads made through the gateway's one channel.
  ASSERT_TRUE(Eventually([&] {
    EXPECT_EQ(read().status, 200);
    return GetProductCalls(stack.Log("catalog")) > 0 && GetProductCalls(stack.Log("catalog-2")) > 0;
  })) << "GetProduct calls: replica 1 " << GetProductCalls(stack.Log("catalog")) << ", replica 2 "
      << GetProductCalls(stack.Log("catalog-2"));

  // SIGKILL one replica between two reads; once it is gone, every read must still succeed.
  const int killed = stack.Pid("catalog-2");
  ASSERT_GT(killed, 0);
  ASSERT_EQ(kill(killed, SIGKILL), 0);
  ASSERT_TRUE(Eventually([&] { return !IsRunning(killed); }));
  const std::size_t first_before = GetProductCalls(stack.Log("catalog"));
  int failed = 0;
  std::string first_failure;
  for (int i = 0; i < 200; ++i) {
    auto response = read();
    if (response.status != 200 && failed++ == 0) first_failure = std::to_string(response.status) + " " + response.body;
  }
  EXPECT_EQ(failed, 0) << "first failure: " << first_failure;
  EXPECT_GT(GetProductCalls(stack.Log("catalog")), first_before) << "the surviving replica answered none";

  // The stack starts the replica again, and the channel takes it back into the rotation.
  ASSERT_TRUE(Eventually([&] { return stack.Pid("catalog-2") != killed && IsRunning(stack.Pid("catalog-2")); }))
      << testing::ReadFile(stack.state_dir() + "/stack-output.log");
  const std::size_t second_before = GetProductCalls(stack.Log("catalog-2"));
  EXPECT_TRUE(Eventually([&] {
    EXPECT_EQ(read().status, 200);
    return GetProductCalls(stack.Log("catalog-2")) > second_before;
  })) << "the restarted replica got no read";

  // A clean stop takes every replica down with the stack.
  const int first = stack.Pid("catalog"), second = stack.Pid("catalog-2");
  const int status = stack.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "stack exit status " << status;
  EXPECT_FALSE(IsRunning(first));
  EXPECT_FALSE(IsRunning(second));
}

TEST(BalancingE2ETest, AReplicaCountTheStackCannotRunIsRefusedBeforeAnythingStarts) {
  try {
    LocalStack stack("", {{"STOREFRONT_REPLICAS", "catalog=2 payments=5"}, {"STOREFRONT_KAFKA", "dev"}});
    FAIL() << "the stack started five payments processes";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("STOREFRONT_REPLICAS: payments=5; a service runs as 1 to 4 processes"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace storefront::e2e

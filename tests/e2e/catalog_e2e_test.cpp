// End to end: the whole local stack (infra/local/stack) with real PostgreSQL, driven over
// HTTP through the gateway the way a shopper's browser or app would.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "e2e/local_stack.h"
#include "shared/testing/http_client.h"

namespace storefront::e2e {
namespace {

using nlohmann::json;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;

class CatalogE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = new LocalStack(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  static HttpResponse Get(const std::string& target) { return testing::HttpGet(stack_->gateway_port(), target); }
  static json GetJson(const std::string& target, int expected_status = 200) {
    auto response = Get(target);
    EXPECT_EQ(response.status, expected_status) << target << ": " << response.body;
    return json::parse(response.body);
  }

  static LocalStack* stack_;
};

LocalStack* CatalogE2ETest::stack_ = nullptr;

long StatusKiB(int pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// True for a live process; false for a gone one or a zombie waiting to be reaped.
bool IsRunning(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

TEST_F(CatalogE2ETest, GatewayIsLiveAndReady) {
  EXPECT_EQ(Get("/livez").status, 200);
  auto ready = GetJson("/readyz");
  EXPECT_EQ(ready["checks"]["catalog"], "ok");
}

TEST_F(CatalogE2ETest, ListsProductsWithPricesInMinorUnits) {
  auto page = GetJson("/api/v1/products?limit=10");
  ASSERT_EQ(page["items"].size(), 10u);
  ASSERT_TRUE(page["next_cursor"].is_string());
  for (const auto& product : page["items"]) {
    EXPECT_TRUE(product["price"]["amount_minor"].is_number_integer());
    EXPECT_EQ(product["price"]["currency"], "USD");
    EXPECT_TRUE(product["active"].get<bool>());
    for (const char* field : {"id", "sku", "name", "description", "category_id", "image_url", "created_at"}) {
      EXPECT_TRUE(product.contains(field)) << field;
    }
  }
}

TEST_F(CatalogE2ETest, PaginatesToTheEndWithoutRepeats) {
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  while (true) {
    auto page = GetJson("/api/v1/products?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& product : page["items"]) {
      EXPECT_TRUE(seen.insert(product["id"].get<std::string>()).second) << "repeated " << product["name"];
    }
    ++pages;
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"].get<std::string>();
    ASSERT_LT(pages, 50) << "pagination does not end";
  }
  EXPECT_GE(seen.size(), 50u);
  EXPECT_GT(pages, 1);
}

TEST_F(CatalogE2ETest, SearchesWithFullText) {
  auto page = GetJson("/api/v1/products?query=wireless%20headphones&limit=100");
  ASSERT_FALSE(page["items"].empty());
  std::string first = page["items"][0]["name"].get<std::string>() + " " +
                      page["items"][0]["description"].get<std::string>();
  for (auto& c : first) c = static_cast<char>(std::tolower(c));
  EXPECT_NE(first.find("headphone"), std::string::npos) << "best match first: " << first;

  auto none = GetJson("/api/v1/products?query=qqqzzzxxyy");
  EXPECT_TRUE(none["items"].empty());
  EXPECT_TRUE(none["next_cursor"].is_null());
}

TEST_F(CatalogE2ETest, FiltersByCategory) {
  auto categories = GetJson("/api/v1/categories");
  ASSERT_GE(categories["items"].size(), 5u);
  std::string category = categories["items"][0]["id"];
  int count = categories["items"][0]["product_count"];
  auto page = GetJson("/api/v1/products?limit=100&category=" + category);
  EXPECT_EQ(static_cast<int>(page["items"].size()), count);
  for (const auto& product : page["items"]) EXPECT_EQ(product["category_id"], category);
}

TEST_F(CatalogE2ETest, GetsOneProductAndAnswers404ForAnUnknownOne) {
  auto page = GetJson("/api/v1/products?limit=1");
  std::string id = page["items"][0]["id"];
  auto product = GetJson("/api/v1/products/" + id);
  EXPECT_EQ(product["id"], id);
  EXPECT_EQ(product["sku"], page["items"][0]["sku"]);

  auto missing = Get("/api/v1/products/7d0a0d36-0000-4000-8000-000000000000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("content-type"), "application/problem+json");
  auto problem = json::parse(missing.body);
  EXPECT_EQ(problem["status"], 404);
  EXPECT_EQ(problem["title"], "Not found");
  EXPECT_EQ(Get("/api/v1/products/not-a-uuid").status, 404);
}

TEST_F(CatalogE2ETest, BadCursorIs400ProblemJson) {
  auto response = Get("/api/v1/products?cursor=garbage");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  auto problem = json::parse(response.body);
  EXPECT_EQ(problem["errors"][0]["field"], "cursor");

  // A real cursor replayed with another query is refused too.
  auto page = GetJson("/api/v1/products?limit=2");
  auto replay = Get("/api/v1/products?query=lamp&cursor=" + page["next_cursor"].get<std::string>());
  EXPECT_EQ(replay.status, 400);
}

TEST_F(CatalogE2ETest, PublishesTheOpenApiDocument) {
  auto document = GetJson("/api/v1/openapi.json");
  EXPECT_TRUE(document["paths"].contains("/api/v1/products"));
  EXPECT_TRUE(document["paths"].contains("/api/v1/products/{id}"));
  EXPECT_TRUE(document["paths"].contains("/api/v1/categories"));
}

TEST_F(CatalogE2ETest, KeepsConnectionsOpenForHttp11Clients) {
  HttpConnection connection(stack_->gateway_port());
  for (int i = 0; i < 5; ++i) {
    auto response = connection.Request("GET", "/api/v1/products?limit=1");
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
  }
}

TEST_F(CatalogE2ETest, HostileRequestsLeaveTheGatewayMemoryBounded) {
  int pid = stack_->Pid("gateway");
  ASSERT_GT(pid, 0);
  long before = StatusKiB(pid, "VmSize");
  std::vector<std::unique_ptr<HttpConnection>> open;
  for (int i = 0; i < 10; ++i) {
    auto& chunked = open.emplace_back(std::make_unique<HttpConnection>(stack_->gateway_port()));
    chunked->SendRaw("POST /api/v1/products HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n");
    auto response = chunked->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 411);

    auto& huge = open.emplace_back(std::make_unique<HttpConnection>(stack_->gateway_port()));
    huge->SendRaw("POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000000\r\n\r\n");
    response = huge->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  HttpConnection deep(stack_->gateway_port());
  auto nested = deep.Request("POST", "/api/v1/products", std::string(60000, '['), {{"Content-Type", "application/json"}});
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->status, 400);

  long grown = StatusKiB(pid, "VmSize") - before;
  EXPECT_LT(grown, 256 * 1024) << "gateway virtual memory grew by " << grown << " KiB";
  EXPECT_EQ(Get("/livez").status, 200) << "the gateway survived";
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The program a pid runs ("java", "storefront-dev-broker", ...).
std::string ProgramOf(int pid) {
  std::error_code error;
  auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", error);
  return error ? "" : exe.filename().string();
}

TEST_F(CatalogE2ETest, TheBrokerIsApacheKafkaByDefault) {
  EXPECT_EQ(ProgramOf(stack_->Pid("broker")), "java");
  EXPECT_TRUE(std::filesystem::exists(stack_->state_dir() + "/kafka/data/meta.properties"))
      << "Kafka's log folder is in the state folder";
}

TEST(LocalStackTest, WithStorefrontKafkaDevTheDevelopmentBrokerRunsInstead) {
  LocalStack stack("", {{"STOREFRONT_KAFKA", "dev"}});
  EXPECT_EQ(ProgramOf(stack.Pid("broker")), "storefront-dev-broker");
  EXPECT_FALSE(std::filesystem::exists(stack.state_dir() + "/kafka")) << "no Apache Kafka data";
  auto page = testing::HttpGet(stack.gateway_port(), "/api/v1/products?limit=1");
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(stack.Stop(), 0);
}

TEST_F(CatalogE2ETest, StopsCleanlyAndASecondRunReusesTheData) {
  stack_->KeepState();
  const std::string state = stack_->state_dir();
  const std::string kafka_meta = ReadText(state + "/kafka/data/meta.properties");
  ASSERT_NE(kafka_meta.find("cluster.id="), std::string::npos) << kafka_meta;
  ASSERT_NE(stack_->Log("broker").find("kafka-single-node: formatting"), std::string::npos) << "first run formats";
  std::map<std::string, int> pids;
  for (const char* name : {"gateway", "catalog", "postgres", "broker"}) pids[name] = stack_->Pid(name);
  int status = stack_->Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "stack exit status " << status;
  for (const auto& [name, pid] : pids) {
    ASSERT_GT(pid, 0) << name;
    EXPECT_FALSE(IsRunning(pid)) << name << " (pid " << pid << ") outlived the stack";
  }
  delete stack_;

  stack_ = new LocalStack(state);  // same data folder
  auto page = GetJson("/api/v1/products?limit=1");
  EXPECT_EQ(page["items"].size(), 1u);
  auto catalog_log = stack_->Log("catalog");
  EXPECT_NE(catalog_log.find("\"applied\":[]"), std::string::npos) << "migrations ran again:\n" << catalog_log;
  // Kafka found its log folder again: not formatted anew, the same cluster.
  EXPECT_EQ(ReadText(state + "/kafka/data/meta.properties"), kafka_meta);
  EXPECT_EQ(stack_->Log("broker").find("kafka-single-node: formatting"), std::string::npos) << stack_->Log("broker");
}

}  // namespace
}  // namespace storefront::e2e

// The dashboard's live figures on real sockets, in process: the gateway (no database; the operator
// routes mounted as AddAdminRoutes mounts them, behind the same RequireAuth) and a fake Prometheus
// on a free loopback port (Pistache) that answers canned /api/v1/query results per query, an error,
// garbage, or a body past the bound. A Prometheus that is not there and one that accepts the
// connection and never answers are a free port and a socket that is never read.
// Proves: which series become which figure end to end, every query asked once per refresh, and a
// 503 observability-unavailable in words (never a hang past the 1.5 s timeout, never a crash) when
// Prometheus is not configured, unreachable, silent, failing or talking nonsense.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pistache/endpoint.h>

#include <map>
#include <mutex>
#include <regex>

#include "auth/jwt.h"
#include "http/codec.h"
#include "routes/admin/observability.h"
#include "routes/admin_routes.h"
#include "server.h"
#include "shared/testing/http_client.h"
#include "shared/testing/process.h"

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using routes::admin::DashboardQueries;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;
namespace admin = routes::admin;

const std::string kSigningKey = "gateway-observability-test-signing-key-0123456789";

// A Prometheus query API that answers what the test says, per PromQL text, and records what it
// was asked. A query it has no answer for gets an empty instant vector, as a real Prometheus
// gives for a metric nobody exposes yet.
class FakePrometheus {
 public:
  struct Answer {
    int status = 200;
    std::string body;
  };

  FakePrometheus() : endpoint_(Pistache::Address("127.0.0.1", Pistache::Port(0))) {
    endpoint_.init(Pistache::Http::Endpoint::options().threads(1).maxResponseSize(4 << 20).flags(
        Pistache::Tcp::Options::ReuseAddr));
    endpoint_.setHandler(std::make_shared<Handler>(state_));
    endpoint_.serveThreaded();
  }
  ~FakePrometheus() { endpoint_.shutdown(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(static_cast<uint16_t>(endpoint_.getPort())); }

  void On(const std::string& query, Answer answer) {
    std::lock_guard lock(state_->mutex);
    state_->answers[query] = std::move(answer);
  }
  // An instant vector of the given (labels, value) series.
  static Answer Vector(const std::vector<std::pair<json, std::string>>& series) {
    json result = json::array();
    for (const auto& [labels, value] : series) result.push_back({{"metric", labels}, {"value", {1733500000.25, value}}});
    return {200, json{{"status", "success"}, {"data", {{"resultType", "vector"}, {"result", result}}}}.dump()};
  }
  // Every query it was asked, in order, and the paths they came on.
  std::vector<std::string> Asked() const {
    std::lock_guard lock(state_->mutex);
    return state_->asked;
  }
  std::vector<std::string> Paths() const {
    std::lock_guard lock(state_->mutex);
    return state_->paths;
  }

 private:
  struct State {
    mutable std::mutex mutex;
    std::map<std::string, Answer> answers;
    std::vector<std::string> asked;
    std::vector<std::string> paths;
  };

  class Handler : public Pistache::Http::Handler {
   public:
    HTTP_PROTOTYPE(Handler)
    explicit Handler(std::shared_ptr<State> state) : state_(std::move(state)) {}

    void onRequest(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) override {
      std::string query;
      for (auto it = request.query().parameters_begin(); it != request.query().parameters_end(); ++it) {
        if (it->first == "query") query = http::PercentDecode(it->second, true).value_or("<undecodable>");
      }
      Answer answer = Vector({});
      {
        std::lock_guard lock(state_->mutex);
        state_->asked.push_back(query);
        state_->paths.push_back(request.resource());
        if (auto it = state_->answers.find(query); it != state_->answers.end()) answer = it->second;
      }
      response.send(static_cast<Pistache::Http::Code>(answer.status), answer.body, MIME(Application, Json));
    }

   private:
    std::shared_ptr<State> state_;
  };

  std::shared_ptr<State> state_ = std::make_shared<State>();
  Pistache::Http::Endpoint endpoint_;
};

// A peer that accepts connections (the kernel does, from the backlog) and never reads or answers.
class SilentPeer {
 public:
  SilentPeer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~SilentPeer() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class GatewayObservabilityTest : public ::testing::Test {
 protected:
  // The gateway with the operator routes over `clients` (only what the observability route uses).
  void Start(std::shared_ptr<const observability::PrometheusClient> prometheus, std::string trace_ui_url = "") {
    Config config;
    config.listen_address = "127.0.0.1:0";
    config.catalog_address = "127.0.0.1:" + std::to_string(storefront::testing::FreePort());  // never called
    config.log_level = "warn";
    gateway_ = std::make_unique<Server>(config);
    routes::AdminClients clients;
    clients.workers = workers_;
    clients.prometheus = std::move(prometheus);
    clients.trace_ui_url = std::move(trace_ui_url);
    clients.clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)); };
    http::GatewayRouter admin_router;
    routes::AddAdminRoutes(admin_router, std::make_shared<auth::TokenVerifier>(kSigningKey), std::move(clients));
    for (const auto& route : admin_router.routes()) gateway_->AddRoute(route.method, route.pattern, route.handler);
    port_ = gateway_->Start();
  }
  void TearDown() override {
    if (gateway_) gateway_->Stop();
    workers_->Shutdown();
  }

  HttpResponse Get(accounts::Role role = accounts::Role::kOperator, bool signed_in = true) {
    std::map<std::string, std::string> headers;
    if (signed_in) {
      auth::TokenIssuer issuer(kSigningKey, 900s);
      headers["Authorization"] =
          "Bearer " + issuer.Issue({"account-1", "ops@observability-test.example", "Ops", role, ""}).access_token;
    }
    HttpConnection connection(port_, 10s);
    auto response = connection.Request("GET", "/api/v1/admin/observability", "", headers);
    EXPECT_TRUE(response) << "no answer within 10 s";
    return response.value_or(HttpResponse{});
  }

  // A 503 observability-unavailable; returns its body.
  json Unavailable(const HttpResponse& response) {
    EXPECT_EQ(response.status, 503) << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/problem+json");
    auto body = json::parse(response.body, nullptr, false);
    EXPECT_EQ(body["type"], "https://storefront.dev/problems/observability-unavailable") << response.body;
    EXPECT_EQ(body["status"], 503);
    return body;
  }

  std::shared_ptr<http::BlockingPool> workers_ = std::make_shared<http::BlockingPool>(2, 8);
  std::unique_ptr<Server> gateway_;
  int port_ = 0;
};

TEST_F(GatewayObservabilityTest, TheDashboardsFiguresAreWhatPrometheusAnswers) {
  FakePrometheus prometheus;
  const auto& q = DashboardQueries();
  prometheus.On(q[admin::kInstancesUp], FakePrometheus::Vector({{{{"job", "gateway"}}, "1"}, {{{"job", "checkout"}}, "2"}}));
  prometheus.On(q[admin::kInstances], FakePrometheus::Vector({{{{"job", "gateway"}}, "1"}, {{{"job", "checkout"}}, "2"}}));
  prometheus.On(q[admin::kHttpRate], FakePrometheus::Vector({{{{"job", "gateway"}}, "20"}}));
  prometheus.On(q[admin::kHttpErrors], FakePrometheus::Vector({{{{"job", "gateway"}}, "0.5"}}));
  prometheus.On(q[admin::kHttpP99], FakePrometheus::Vector({{{{"job", "gateway"}}, "0.0125"}}));
  prometheus.On(q[admin::kGrpcRate], FakePrometheus::Vector({{{{"job", "checkout"}}, "4"}}));
  prometheus.On(q[admin::kGrpcP99], FakePrometheus::Vector({{{{"job", "checkout"}}, "NaN"}}));
  prometheus.On(q[admin::kOutboxRows], FakePrometheus::Vector({{{{"job", "checkout"}}, "3"}}));
  prometheus.On(q[admin::kOutboxAge], FakePrometheus::Vector({{{{"job", "checkout"}}, "42.5"}}));
  prometheus.On(q[admin::kConsumerLag],
                FakePrometheus::Vector({{{{"job", "payments"}, {"topic", "storefront.checkout.v1"}}, "7"}}));
  prometheus.On(q[admin::kDeadLetters],
                FakePrometheus::Vector({{{{"job", "inventory"}, {"topic", "storefront.checkout.v1"}}, "5"}}));
  prometheus.On(q[admin::kDeadLettersLastHour],
                FakePrometheus::Vector({{{{"job", "inventory"}, {"topic", "storefront.checkout.v1"}}, "1.9"}}));
  prometheus.On(q[admin::kSagas], FakePrometheus::Vector({{{{"outcome", "completed"}}, "0.5"},
                                                         {{{"outcome", "failed"}}, "0.125"}}));
  Start(std::make_shared<observability::PrometheusClient>(prometheus.url() + "/"),
        "http://127.0.0.1:9411/zipkin/traces/");

  auto response = Get();
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(json::parse(response.body), json::parse(R"({
    "prometheus_url": ")" + prometheus.url() + R"(",
    "trace_ui_url": "http://127.0.0.1:9411/zipkin/traces/",
    "read_at": "2027-01-15T08:00:00Z",
    "services": [
      {"job": "gateway", "instances_up": 1, "instances": 1, "request_rate": 20.0, "error_ratio": 0.025, "p99_seconds": 0.0125},
      {"job": "checkout", "instances_up": 2, "instances": 2, "request_rate": 4.0, "error_ratio": 0.0, "p99_seconds": null}],
    "outbox": [{"job": "checkout", "unpublished_rows": 3, "oldest_unpublished_age_seconds": 42.5}],
    "consumer_lag": [{"job": "payments", "topic": "storefront.checkout.v1", "lag": 7}],
    "dead_letters": [{"job": "inventory", "topic": "storefront.checkout.v1", "total": 5, "last_hour": 2}],
    "sagas": {"completed_rate": 0.5, "failed_rate": 0.125}})"))
      << response.body;
  EXPECT_EQ(response.body.find("NaN"), std::string::npos);

  // Every figure's query, each once, on the instant query endpoint.
  auto asked = prometheus.Asked();
  std::sort(asked.begin(), asked.end());
  auto expected = DashboardQueries();
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(asked, expected);
  for (const auto& path : prometheus.Paths()) EXPECT_EQ(path, "/api/v1/query");
}

TEST_F(GatewayObservabilityTest, OperatorsOnly) {
  FakePrometheus prometheus;
  Start(std::make_shared<observability::PrometheusClient>(prometheus.url()));
  EXPECT_EQ(Get(accounts::Role::kOperator, /*signed_in=*/false).status, 401);
  EXPECT_EQ(Get(accounts::Role::kShopper).status, 403);
  EXPECT_TRUE(prometheus.Asked().empty());
  EXPECT_EQ(Get().status, 200);
}

TEST_F(GatewayObservabilityTest, WithoutPrometheusUrlItSaysSo) {
  Start(nullptr);
  auto body = Unavailable(Get());
  EXPECT_TRUE(body["prometheus_url"].is_null());
  EXPECT_EQ(body["detail"],
            "Prometheus is not configured: set PROMETHEUS_URL on the gateway to show the store's figures");
}

TEST_F(GatewayObservabilityTest, APrometheusThatIsNotThereIs503) {
  const std::string url = "http://127.0.0.1:" + std::to_string(storefront::testing::FreePort());
  Start(std::make_shared<observability::PrometheusClient>(url));
  auto body = Unavailable(Get());
  EXPECT_EQ(body["prometheus_url"], url);
  const std::string detail = body["detail"];
  EXPECT_EQ(detail.rfind("Prometheus at " + url + " is unreachable: ", 0), 0u) << detail;
}

// The whole refresh is bounded by the client's timeout: a Prometheus that takes the connection
// and never answers costs 1.5 s and a 503, not a console request that hangs.
TEST_F(GatewayObservabilityTest, APrometheusThatNeverAnswersIs503AtTheTimeout) {
  SilentPeer silent;
  Start(std::make_shared<observability::PrometheusClient>(silent.url()));
  const auto started = std::chrono::steady_clock::now();
  auto body = Unavailable(Get());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // its 1.5 s budget, not the test client's 10 s
  EXPECT_EQ(body["detail"], "Prometheus at " + silent.url() + " did not answer within 1500 ms");
}

TEST_F(GatewayObservabilityTest, AFailedQueryIs503WithPrometheusOwnWords) {
  FakePrometheus prometheus;
  prometheus.On(DashboardQueries()[admin::kSagas],
                {422, R"({"status": "error", "errorType": "execution", "error": "query timed out in expression evaluation"})"});
  Start(std::make_shared<observability::PrometheusClient>(prometheus.url()));
  auto body = Unavailable(Get());
  EXPECT_EQ(body["detail"], "Prometheus at " + prometheus.url() +
                                " answered HTTP 422 (execution: query timed out in expression evaluation)");
}

TEST_F(GatewayObservabilityTest, AnAnswerOutsideTheApiIs503) {
  FakePrometheus prometheus;
  Start(std::make_shared<observability::PrometheusClient>(prometheus.url()));
  const std::string refused = "Prometheus at " + prometheus.url() + " gave an answer the query API does not give: ";

  prometheus.On(DashboardQueries()[admin::kHttpRate], {200, "<html><body>Grafana</body></html>"});
  EXPECT_EQ(Unavailable(Get())["detail"], refused + "the answer is not JSON");

  prometheus.On(DashboardQueries()[admin::kHttpRate],
                {200, R"({"status": "success", "data": {"resultType": "matrix", "result": []}})"});
  EXPECT_EQ(Unavailable(Get())["detail"], refused + "the result is not an instant vector");

  prometheus.On(DashboardQueries()[admin::kHttpRate], FakePrometheus::Vector({{{{"job", "gateway"}}, "lots"}}));
  EXPECT_EQ(Unavailable(Get())["detail"], refused + "result[0].value is not a number: lots");

  prometheus.On(DashboardQueries()[admin::kHttpRate], {200, std::string(observability::kMaxAnswerBytes + 1, ' ')});
  EXPECT_EQ(Unavailable(Get())["detail"],
            "Prometheus at " + prometheus.url() + " answered more than 1048576 bytes to one query");

  // Once it answers properly again, so does the route.
  prometheus.On(DashboardQueries()[admin::kHttpRate], FakePrometheus::Vector({}));
  EXPECT_EQ(Get().status, 200);
}

}  // namespace
}  // namespace storefront::gateway

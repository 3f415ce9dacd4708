// Rate limits and load shedding on real sockets, in process: the gateway with test routes mounted
// where the limited routes live (no database, no upstream), so what is checked is the edge itself:
// 429 with Retry-After and the RateLimit fields, addresses and accounts apart, X-Forwarded-For
// believed only from a trusted proxy, and 503 at once when too many requests are held.
// Failed sign-ins (which need the accounts database) are in gateway_auth_test.cpp.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <mutex>
#include <regex>

#include "auth/jwt.h"
#include "auth/require.h"
#include "server.h"
#include "shared/testing/figures.h"
#include "shared/testing/http_client.h"
#include "shared/testing/process.h"

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Pistache::Http::Code;
using Pistache::Http::Method;
using storefront::testing::Figure;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;

const std::string kSigningKey = "gateway-limits-test-signing-key-0123456789abcdef";

Config LimitedConfig() {
  Config config;
  config.listen_address = "127.0.0.1:0";
  config.catalog_address = "127.0.0.1:" + std::to_string(storefront::testing::FreePort());  // never called
  config.log_level = "warn";
  config.rate_limits = http::RateLimitSettings{};
  return config;
}

http::Handler AnswerOk() {
  return [](const http::Request&, std::shared_ptr<http::Responder> out) { out->Json(Code::Ok, {{"ok", true}}); };
}

// The "t" of a RateLimit field such as `"login";r=0;t=20`.
int EffectiveWindow(const std::string& field) {
  std::smatch match;
  EXPECT_TRUE(std::regex_search(field, match, std::regex(";t=(\\d+)$"))) << field;
  return match.empty() ? -1 : std::stoi(match[1]);
}

class GatewayLimitsTest : public ::testing::Test {
 protected:
  void Start(Config config) {
    gateway_ = std::make_unique<Server>(std::move(config));
    for (auto& [method, path, handler] : routes_) gateway_->AddRoute(method, path, handler);
    port_ = gateway_->Start();
  }
  void TearDown() override {
    if (gateway_) gateway_->Stop();
  }

  HttpResponse Send(const std::string& method, const std::string& path,
                    std::map<std::string, std::string> headers = {}) {
    HttpConnection connection(port_);
    if (method == "POST") headers["Content-Type"] = "application/json";
    auto response = connection.Request(method, path, method == "POST" ? "{}" : "", headers);
    EXPECT_TRUE(response) << "no answer to " << method << " " << path;
    return response.value_or(HttpResponse{});
  }

  std::vector<std::tuple<Method, std::string, http::Handler>> routes_;
  std::unique_ptr<Server> gateway_;
  int port_ = 0;
};

TEST_F(GatewayLimitsTest, ARouteAnswers429AfterItsLimitWithRetryAfterAndTheRateLimitFields) {
  Config config = LimitedConfig();
  config.rate_limits->login = {"login", 3, 60s};  // one token every 20 s
  routes_.emplace_back(Method::Post, "/api/v1/auth/login", AnswerOk());  // stands in for the real route
  routes_.emplace_back(Method::Get, "/test/ok", AnswerOk());
  Start(config);
  const std::string refusals = "http_requests_refused_total{policy=\"login\",reason=\"rate_limited\"}";
  const double refused_before = Figure(refusals);

  for (int remaining = 2; remaining >= 0; --remaining) {
    auto allowed = Send("POST", "/api/v1/auth/login");
    ASSERT_EQ(allowed.status, 200) << allowed.body;
    EXPECT_EQ(allowed.Header("ratelimit-policy"), R"("login";q=3;w=60)");
    EXPECT_EQ(allowed.Header("ratelimit").substr(0, 13), "\"login\";r=" + std::to_string(remaining) + ";t");
    EXPECT_EQ(allowed.Header("retry-after"), "");
  }

  auto limited = Send("POST", "/api/v1/auth/login");
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(Figure(refusals) - refused_before, 1) << "counted by reason and policy";
  EXPECT_EQ(limited.Header("content-type"), "application/problem+json");
  EXPECT_EQ(limited.Header("ratelimit-policy"), R"("login";q=3;w=60)");
  const std::string field = limited.Header("ratelimit");
  EXPECT_EQ(field.substr(0, 13), R"("login";r=0;t)");
  const int window = EffectiveWindow(field);
  EXPECT_GE(window, 1);
  EXPECT_LE(window, 20);
  EXPECT_EQ(limited.Header("retry-after"), std::to_string(window));
  auto body = json::parse(limited.body);
  EXPECT_EQ(body["type"], "https://storefront.dev/problems/rate-limited");
  EXPECT_EQ(body["status"], 429);
  EXPECT_EQ(body["violated-policies"], json::array({"login"}));
  EXPECT_NE(body["detail"].get<std::string>().find("too many login requests from this address"), std::string::npos);
  EXPECT_FALSE(body["request_id"].get<std::string>().empty());

  // Other routes spend the general policy's bucket, which is still full.
  auto other = Send("GET", "/test/ok");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.Header("ratelimit-policy"), R"("general";q=600;w=60)");
  EXPECT_EQ(other.Header("ratelimit").substr(0, 17), R"("general";r=599;t)");
}

TEST_F(GatewayLimitsTest, ProbesAreNeverLimited) {
  Config config = LimitedConfig();
  config.rate_limits->general = {"general", 1, 3600s};
  routes_.emplace_back(Method::Get, "/test/ok", AnswerOk());
  Start(config);
  for (int i = 0; i < 5; ++i) {
    auto live = Send("GET", "/livez");
    EXPECT_EQ(live.status, 200);
    EXPECT_EQ(live.Header("ratelimit"), "");
  }
  EXPECT_EQ(Send("GET", "/test/ok").status, 200);
  EXPECT_EQ(Send("GET", "/test/ok").status, 429);
  EXPECT_EQ(Send("GET", "/no/such/route").status, 429);  // scanning for routes spends the same bucket
}

TEST_F(GatewayLimitsTest, XForwardedForIsBelievedOnlyFromATrustedProxy) {
  Config config = LimitedConfig();
  config.rate_limits->general = {"general", 2, 3600s};
  routes_.emplace_back(Method::Get, "/test/ok", AnswerOk());
  Start(config);
  // The peer is 127.0.0.1 and trusted by no one: a made-up header changes nothing.
  EXPECT_EQ(Send("GET", "/test/ok", {{"X-Forwarded-For", "203.0.113.1"}}).status, 200);
  EXPECT_EQ(Send("GET", "/test/ok", {{"X-Forwarded-For", "203.0.113.2"}}).status, 200);
  EXPECT_EQ(Send("GET", "/test/ok", {{"X-Forwarded-For", "203.0.113.3"}}).status, 429);
}

TEST_F(GatewayLimitsTest, BehindATrustedProxyEachForwardedClientHasItsOwnBucket) {
  Config config = LimitedConfig();
  config.rate_limits->general = {"general", 2, 3600s};
  std::string error;
  config.trusted_proxies = *http::TrustedProxies::Parse("127.0.0.1", &error);
  routes_.emplace_back(Method::Get, "/test/ok", AnswerOk());
  Start(config);
  // What the client wrote itself (left) is not believed; the hop our proxy appended is.
  for (const char* spoofed : {"1.1.1.1", "2.2.2.2"}) {
    EXPECT_EQ(Send("GET", "/test/ok", {{"X-Forwarded-For", std::string(spoofed) + ", 203.0.113.1"}}).status, 200);
  }
  EXPECT_EQ(Send("GET", "/test/ok", {{"X-Forwarded-For", "203.0.113.1"}}).status, 429);
  EXPECT_EQ(Send("GET", "/test/ok", {{"X-Forwarded-For", "203.0.113.2"}}).status, 200);
}

TEST_F(GatewayLimitsTest, ASignedInRequestAlsoSpendsItsAccountsBucket) {
  Config config = LimitedConfig();
  config.rate_limits->checkout = {"checkout", 2, 60s};
  std::string error;
  config.trusted_proxies = *http::TrustedProxies::Parse("127.0.0.1", &error);
  auto verifier = std::make_shared<auth::TokenVerifier>(kSigningKey);
  routes_.emplace_back(Method::Post, "/api/v1/checkout",  // stands in for the real route, same decorator
                       auth::RequireAuth(verifier, std::nullopt, [](const http::Request&, const auth::Principal&,
                                                                    auto out) { out->Json(Code::Created, {}); }));
  Start(config);
  auth::TokenIssuer issuer(kSigningKey, 900s);
  auto bearer = [&issuer](const std::string& id) {
    return "Bearer " + issuer.Issue({id, id + "@limits-test.example", "X", accounts::Role::kShopper, ""}).access_token;
  };
  auto checkout = [&](const std::string& address, const std::string& account) {
    return Send("POST", "/api/v1/checkout", {{"X-Forwarded-For", address}, {"Authorization", bearer(account)}});
  };

  EXPECT_EQ(checkout("203.0.113.1", "ada").status, 201);
  EXPECT_EQ(checkout("203.0.113.1", "ada").status, 201);
  // Ada moves to another address: her account's bucket is empty all the same.
  auto moved = checkout("203.0.113.2", "ada");
  ASSERT_EQ(moved.status, 429) << moved.body;
  EXPECT_NE(json::parse(moved.body)["detail"].get<std::string>().find("for this account"), std::string::npos);
  EXPECT_EQ(moved.Header("ratelimit").substr(0, 16), R"("checkout";r=0;t)");
  EXPECT_NE(moved.Header("retry-after"), "");

  // Grace at that address: her account has room, the address had one token left before Ada's
  // refused request took it; the answer reports the tighter of the two.
  auto grace = checkout("203.0.113.2", "grace");
  EXPECT_EQ(grace.status, 201) << grace.body;
  EXPECT_EQ(grace.Header("ratelimit").substr(0, 16), R"("checkout";r=0;t)");
}

// A route that holds every request until the test lets them go.
class HeldRequests {
 public:
  http::Handler Handler() {
    return [this](const http::Request&, std::shared_ptr<http::Responder> out) {
      std::lock_guard lock(mutex_);
      held_.push_back(std::move(out));
      changed_.notify_all();
    };
  }
  void WaitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 10s, [&] { return held_.size() >= count; })) << held_.size() << " held";
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  void ReleaseAll() {
    std::vector<std::shared_ptr<http::Responder>> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& out : held) out->Json(Code::Ok, {{"released", true}});
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<http::Responder>> held_;
};

TEST_F(GatewayLimitsTest, ShedsWith503AtOnceWhenTooManyRequestsAreHeld) {
  HeldRequests hang;
  Config config = LimitedConfig();
  config.rate_limits.reset();
  config.max_in_flight_requests = 2;
  routes_.emplace_back(Method::Get, "/test/hang", hang.Handler());
  routes_.emplace_back(Method::Get, "/test/ok", AnswerOk());
  Start(config);

  HttpConnection first(port_), second(port_);
  ASSERT_TRUE(first.SendRaw("GET /test/hang HTTP/1.1\r\nHost: test\r\n\r\n"));
  ASSERT_TRUE(second.SendRaw("GET /test/hang HTTP/1.1\r\nHost: test\r\n\r\n"));
  hang.WaitFor(2);
  const std::string shed_figure = "http_requests_refused_total{policy=\"\",reason=\"shed\"}";
  const double shed_before = Figure(shed_figure);
  EXPECT_EQ(Figure("http_server_requests_in_flight"), 2);

  auto shed = Send("GET", "/test/hang");
  ASSERT_EQ(shed.status, 503) << shed.body;
  EXPECT_EQ(Figure(shed_figure) - shed_before, 1);
  EXPECT_EQ(shed.Header("retry-after"), "1");
  EXPECT_EQ(shed.Header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(shed.body)["type"], "https://storefront.dev/problems/overloaded");
  EXPECT_EQ(Send("GET", "/test/ok").status, 503);
  EXPECT_EQ(hang.count(), 2u);  // the refused requests never reached a handler
  // The probes still answer, so the orchestrator sees a busy gateway, not a dead one.
  EXPECT_EQ(Send("GET", "/livez").status, 200);

  hang.ReleaseAll();
  auto released = first.ReadResponse();
  ASSERT_TRUE(released);
  EXPECT_EQ(released->status, 200);
  ASSERT_TRUE(second.ReadResponse());
  // Answered requests no longer count.
  EXPECT_EQ(Send("GET", "/test/ok").status, 200);
}

}  // namespace
}  // namespace storefront::gateway

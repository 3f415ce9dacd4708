// Accounts and authentication end to end inside one process: the gateway on real sockets against
// a real PostgreSQL (SharedPostgres, connecting as the accounts role), register and login through
// HTTP, tokens checked by the RequireAuth decorator, and the operator bootstrap across restarts.
// The catalog is never called here; its address points nowhere.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sodium.h>

#include <atomic>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "auth/jwt.h"
#include "auth/require.h"
#include "server.h"
#include "shared/testing/http_client.h"
#include "shared/testing/postgres.h"
#include "shared/testing/process.h"

namespace storefront::gateway {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using storefront::testing::HttpConnection;
using storefront::testing::HttpResponse;

const std::string kSigningKey = "gateway-auth-test-signing-key-0123456789abcdef";
constexpr const char* kOperatorEmail = "ops@auth-test.example";
constexpr const char* kOperatorPassword = "operator-test-password";

std::string UniqueEmail(const std::string& who) {
  static std::atomic<int> counter{0};
  return who + "." + std::to_string(++counter) + "@auth-test.example";
}

std::string Base64Url(const std::string& data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

Config TestConfig(const std::string& operator_email, std::optional<std::string> operator_password) {
  Config config;
  config.listen_address = "127.0.0.1:0";
  config.catalog_address = "127.0.0.1:" + std::to_string(storefront::testing::FreePort());
  config.log_level = "warn";
  config.accounts_database_url = storefront::testing::SharedPostgres().Dsn("accounts");
  config.jwt_signing_key = kSigningKey;
  config.operator_email = operator_email;
  config.operator_password = std::move(operator_password);
  return config;
}

class GatewayAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_ = std::make_unique<Server>(TestConfig(kOperatorEmail, kOperatorPassword));
    // A route only operators may use, mounted through the same decorator real routes use.
    gateway_->AddRoute(Pistache::Http::Method::Get, "/test/operator-only",
                       auth::RequireAuth(std::make_shared<auth::TokenVerifier>(kSigningKey), accounts::Role::kOperator,
                                         [](const http::Request&, const auth::Principal& who, auto out) {
                                           out->Json(Pistache::Http::Code::Ok, {{"hello", who.email}});
                                         }));
    port_ = gateway_->Start();
  }
  void TearDown() override { gateway_->Stop(); }

  HttpResponse Post(const std::string& path, const std::string& body) {
    HttpConnection connection(port_);
    auto response = connection.Request("POST", path, body, {{"Content-Type", "application/json"}});
    EXPECT_TRUE(response) << "no answer to POST " << path;
    return response.value_or(HttpResponse{});
  }
  HttpResponse Get(const std::string& path, const std::string& authorization = "") {
    HttpConnection connection(port_);
    std::map<std::string, std::string> headers;
    if (!authorization.empty()) headers["Authorization"] = authorization;
    auto response = connection.Request("GET", path, "", headers);
    EXPECT_TRUE(response) << "no answer to GET " << path;
    return response.value_or(HttpResponse{});
  }

  json Register(const std::string& email, const std::string& password = "correct horse", const std::string& name = "Ada") {
    auto response = Post("/api/v1/auth/register", json{{"email", email}, {"password", password}, {"name", name}}.dump());
    EXPECT_EQ(response.status, 201) << response.body;
    return json::parse(response.body);
  }
  std::string Login(const std::string& email, const std::string& password) {
    auto response = Post("/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body).value("access_token", "");
  }

  // Signs in and returns the whole answer: the access token and the session's refresh token.
  json SignIn(const std::string& email, const std::string& password) {
    auto response = Post("/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body);
  }
  HttpResponse Refresh(const std::string& refresh_token) {
    return Post("/api/v1/auth/refresh", json{{"refresh_token", refresh_token}}.dump());
  }
  HttpResponse PostAs(const std::string& access_token, const std::string& path, const json& body) {
    HttpConnection connection(port_);
    auto response = connection.Request("POST", path, body.dump(),
                                       {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + access_token}});
    EXPECT_TRUE(response) << "no answer to POST " << path;
    return response.value_or(HttpResponse{});
  }
  // A statement run as the accounts role, as an operator of the database would.
  void AccountsSql(const std::string& sql, const std::string& param) {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("accounts"));
    pqxx::nontransaction txn(connection);
    txn.exec_params(sql, param);
  }

  std::unique_ptr<Server> gateway_;
  int port_ = 0;
};

TEST_F(GatewayAuthTest, ARefreshTokenWorksOnceAndGivesTheNextOneOfItsSession) {
  const std::string email = UniqueEmail("grace");
  Register(email, "open sesame 123");
  auto signed_in = SignIn(email, "open sesame 123");
  const std::string first = signed_in["refresh_token"];
  EXPECT_EQ(first.size(), 43u);
  EXPECT_EQ(signed_in["refresh_expires_in"], 14 * 24 * 3600);

  auto refreshed = Refresh(first);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_EQ(refreshed.Header("cache-control"), "no-store");
  auto tokens = json::parse(refreshed.body);
  const std::string second = tokens["refresh_token"];
  EXPECT_NE(second, first);
  EXPECT_EQ(json::parse(Get("/api/v1/auth/me", "Bearer " + tokens["access_token"].get<std::string>()).body)["email"],
            email);
  const std::string third = json::parse(Refresh(second).body)["refresh_token"];

  // The first one again: someone else holds this session. It ends, for the owner too.
  auto reused = Refresh(first);
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(json::parse(reused.body)["type"], "https://storefront.dev/problems/invalid-refresh-token");
  EXPECT_NE(json::parse(reused.body)["detail"].get<std::string>().find("used before"), std::string::npos);
  EXPECT_EQ(Refresh(third).status, 401) << "the newest token of the reused session still works";

  // Another sign-in is another session, untouched.
  EXPECT_EQ(Refresh(SignIn(email, "open sesame 123")["refresh_token"]).status, 200);
  EXPECT_EQ(Refresh("not-a-refresh-token").status, 401);
  EXPECT_EQ(Refresh(std::string(43, 'A')).status, 401);
}

TEST_F(GatewayAuthTest, LogoutEndsTheSessionAndAnExpiredTokenRefreshesNothing) {
  const std::string email = UniqueEmail("linus");
  Register(email, "open sesame 123");
  const std::string token = SignIn(email, "open sesame 123")["refresh_token"];
  auto out = Post("/api/v1/auth/logout", json{{"refresh_token", token}}.dump());
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(Refresh(token).status, 401);
  EXPECT_EQ(Post("/api/v1/auth/logout", json{{"refresh_token", token}}.dump()).status, 204);  // again: no oracle
  EXPECT_EQ(Post("/api/v1/auth/logout", "{}").status, 400);

  const std::string other = SignIn(email, "open sesame 123")["refresh_token"];
  AccountsSql("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'"
              " WHERE account_id = (SELECT id FROM accounts WHERE email = $1) AND revoked_at IS NULL",
              email);
  EXPECT_EQ(Refresh(other).status, 401);
}

TEST_F(GatewayAuthTest, AChangedPasswordEndsEverySessionOfTheAccount) {
  const std::string email = UniqueEmail("barbara");
  Register(email, "open sesame 123");
  auto laptop = SignIn(email, "open sesame 123");
  auto phone = SignIn(email, "open sesame 123");
  const std::string access = laptop["access_token"];

  auto wrong = PostAs(access, "/api/v1/auth/password",
                      {{"current_password", "not it at all"}, {"new_password", "a new secret 456"}});
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_EQ(Refresh(phone["refresh_token"]).status, 200) << "a wrong password changed something";
  phone = SignIn(email, "open sesame 123");  // that refresh rotated its token

  auto weak = PostAs(access, "/api/v1/auth/password", {{"current_password", "open sesame 123"}, {"new_password", "short"}});
  EXPECT_EQ(weak.status, 400);
  EXPECT_EQ(json::parse(weak.body)["errors"][0]["field"], "new_password");
  EXPECT_EQ(Post("/api/v1/auth/password", json{{"current_password", "x"}, {"new_password", "y"}}.dump()).status, 401);

  auto changed =
      PostAs(access, "/api/v1/auth/password", {{"current_password", "open sesame 123"}, {"new_password", "a new secret 456"}});
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(Refresh(laptop["refresh_token"]).status, 401);
  EXPECT_EQ(Refresh(phone["refresh_token"]).status, 401);
  EXPECT_EQ(Post("/api/v1/auth/login", json{{"email", email}, {"password", "open sesame 123"}}.dump()).status, 401);
  EXPECT_EQ(Refresh(SignIn(email, "a new secret 456")["refresh_token"]).status, 200);
}

// A session refreshing again and again while its password changes: whichever refresh committed
// last before the change, its token is revoked by it; none after it succeeds. (Without the
// account's row lock, a token inserted while the change ran outlived it.)
TEST_F(GatewayAuthTest, NoSessionRefreshingWhileThePasswordChangesOutlivesTheChange) {
  const std::string email = UniqueEmail("mallory");
  Register(email, "open sesame 123");
  auto signed_in = SignIn(email, "open sesame 123");
  std::string latest = signed_in["refresh_token"];
  std::atomic<bool> changed{false};
  std::atomic<int> rotations{0}, after_change{0};
  std::thread thief([&] {
    while (true) {
      const bool was_changed = changed.load();
      auto answer = Refresh(latest);
      if (answer.status != 200) return;
      latest = json::parse(answer.body)["refresh_token"];
      ++rotations;
      if (was_changed) ++after_change;  // began after the change had committed, and still worked
    }
  });
  while (rotations.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto change = PostAs(signed_in["access_token"], "/api/v1/auth/password",
                       {{"current_password", "open sesame 123"}, {"new_password", "a new secret 456"}});
  changed = true;
  thief.join();
  EXPECT_EQ(change.status, 204) << change.body;
  EXPECT_EQ(after_change.load(), 0);
  EXPECT_EQ(Refresh(latest).status, 401);
}

TEST_F(GatewayAuthTest, ARoleChangeTakesEffectAtTheNextRefreshAndADeletedAccountRefreshesNothing) {
  const std::string email = UniqueEmail("katherine");
  Register(email, "open sesame 123");
  auto signed_in = SignIn(email, "open sesame 123");
  EXPECT_EQ(json::parse(Get("/api/v1/auth/me", "Bearer " + signed_in["access_token"].get<std::string>()).body)["role"],
            "shopper");

  AccountsSql("UPDATE accounts SET role = 'operator' WHERE email = $1", email);
  auto refreshed = json::parse(Refresh(signed_in["refresh_token"]).body);
  const std::string promoted = refreshed["access_token"];
  EXPECT_EQ(json::parse(Get("/api/v1/auth/me", "Bearer " + promoted).body)["role"], "operator");
  EXPECT_EQ(Get("/test/operator-only", "Bearer " + promoted).status, 200);

  AccountsSql("DELETE FROM accounts WHERE email = $1", email);
  EXPECT_EQ(Refresh(refreshed["refresh_token"]).status, 401);
}

TEST_F(GatewayAuthTest, RegistersAShopper) {
  const std::string email = UniqueEmail("ada");
  auto upper = email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto response = Post("/api/v1/auth/register",
                       json{{"email", "  " + upper + " "}, {"password", "correct horse"}, {"name", " Ada Lovelace "}}.dump());
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  auto body = json::parse(response.body);
  EXPECT_EQ(body["email"], email);
  EXPECT_EQ(body["name"], "Ada Lovelace");
  EXPECT_EQ(body["role"], "shopper");
  EXPECT_EQ(body["id"].get<std::string>().size(), 36u);
  EXPECT_FALSE(body.contains("password_hash"));
  EXPECT_FALSE(body.contains("password"));
}

TEST_F(GatewayAuthTest, ADuplicateEmailIs409WhateverItsCase) {
  const std::string email = UniqueEmail("grace");
  Register(email);
  auto upper = email;
  upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));
  auto again = Post("/api/v1/auth/register", json{{"email", upper}, {"password", "another one"}, {"name", "G"}}.dump());
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.Header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(again.body)["type"], "https://storefront.dev/problems/conflict");
}

TEST_F(GatewayAuthTest, InvalidRegistrationNamesEachField) {
  auto response = Post("/api/v1/auth/register", json{{"email", "not-an-email"}, {"password", "short"}, {"name", "Bad\nName"}}.dump());
  ASSERT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
  auto body = json::parse(response.body);
  std::set<std::string> fields;
  for (const auto& error : body["errors"]) fields.insert(error["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"email", "password", "name"}));

  auto one = Post("/api/v1/auth/register", json{{"email", UniqueEmail("x")}, {"password", std::string(129, 'p')}, {"name", "X"}}.dump());
  ASSERT_EQ(one.status, 400);
  auto errors = json::parse(one.body)["errors"];
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["field"], "password");
}

TEST_F(GatewayAuthTest, MissingBodyOrFieldsIs400) {
  HttpConnection connection(port_);
  auto no_body = connection.Request("POST", "/api/v1/auth/register");
  ASSERT_TRUE(no_body);
  EXPECT_EQ(no_body->status, 400);
  EXPECT_EQ(json::parse(no_body->body)["errors"].size(), 3u);

  auto empty = Post("/api/v1/auth/register", "{}");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(json::parse(empty.body)["errors"][0]["detail"], "is required");

  auto wrong_type = Post("/api/v1/auth/register", R"({"email": 42, "password": null, "name": "Ada"})");
  EXPECT_EQ(wrong_type.status, 400);
  auto errors = json::parse(wrong_type.body)["errors"];
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0]["field"], "email");
  EXPECT_EQ(errors[0]["detail"], "must be a string");
  EXPECT_EQ(errors[1]["field"], "password");

  EXPECT_EQ(Post("/api/v1/auth/register", "[]").status, 400);
  EXPECT_EQ(Post("/api/v1/auth/login", R"({"email": "a@b.co"})").status, 400);
  EXPECT_EQ(Post("/api/v1/auth/login", "\"just a string\"").status, 400);
}

TEST_F(GatewayAuthTest, LogsInAndTheTokenOpensProtectedRoutes) {
  const std::string email = UniqueEmail("linus");
  auto account = Register(email, "open sesame 123", "Linus");

  auto response = Post("/api/v1/auth/login", json{{"email", " " + email}, {"password", "open sesame 123"}}.dump());
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  auto body = json::parse(response.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 900);
  const std::string token = body["access_token"];

  auto me = Get("/api/v1/auth/me", "Bearer " + token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Header("cache-control"), "no-store");  // personal data: never in a cache
  EXPECT_EQ(me.Header("x-content-type-options"), "nosniff");
  auto who = json::parse(me.body);
  EXPECT_EQ(who["id"], account["id"]);
  EXPECT_EQ(who["email"], email);
  EXPECT_EQ(who["role"], "shopper");
  EXPECT_EQ(Get("/api/v1/auth/me", "bearer " + token).status, 200);  // the scheme is case-insensitive
}

TEST_F(GatewayAuthTest, AWrongPasswordAndAnUnknownEmailGetTheSame401) {
  const std::string email = UniqueEmail("mallory");
  Register(email, "the real password");
  auto wrong = Post("/api/v1/auth/login", json{{"email", email}, {"password", "a wrong password"}}.dump());
  auto unknown = Post("/api/v1/auth/login", json{{"email", UniqueEmail("nobody")}, {"password", "a wrong password"}}.dump());
  ASSERT_EQ(wrong.status, 401);
  ASSERT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.Header("content-type"), "application/problem+json");
  EXPECT_FALSE(wrong.Header("www-authenticate").empty());
  auto a = json::parse(wrong.body);
  auto b = json::parse(unknown.body);
  for (const char* key : {"type", "title", "status", "detail"}) EXPECT_EQ(a[key], b[key]) << key;
  EXPECT_EQ(a.dump().find(email), std::string::npos);
}

TEST_F(GatewayAuthTest, ProtectedRoutesRefuseMissingAndBadTokens) {
  const std::string email = UniqueEmail("eve");
  auto account = Register(email);

  auto missing = Get("/api/v1/auth/me");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Header("www-authenticate"), "Bearer realm=\"storefront\"");
  EXPECT_EQ(missing.Header("content-type"), "application/problem+json");
  EXPECT_EQ(Get("/api/v1/auth/me", "Basic ZXZlOnB3").status, 401);

  auto garbage = Get("/api/v1/auth/me", "Bearer not-a-token");
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(garbage.Header("www-authenticate"), "Bearer realm=\"storefront\", error=\"invalid_token\"");
  EXPECT_EQ(Get("/api/v1/auth/me", "Bearer ").status, 401);
  EXPECT_EQ(Get("/api/v1/auth/me", "Bearer a b").status, 401);

  accounts::Account who{account["id"], email, "Eve", accounts::Role::kShopper, ""};
  auth::TokenIssuer past(kSigningKey, 900s, [] { return std::chrono::system_clock::now() - 1h; });
  auto expired = Get("/api/v1/auth/me", "Bearer " + past.Issue(who).access_token);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.Header("www-authenticate").find("invalid_token"), std::string::npos);
  EXPECT_NE(json::parse(expired.body)["detail"].get<std::string>().find("expired"), std::string::npos);

  auth::TokenIssuer forger("somebody-elses-signing-key-0123456789abcdef", 900s);
  EXPECT_EQ(Get("/api/v1/auth/me", "Bearer " + forger.Issue(who).access_token).status, 401);

  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json claims = {{"sub", who.id},  {"email", email},      {"role", "operator"}, {"iss", "storefront"},
                 {"iat", now},     {"exp", now + 900}};
  const std::string unsigned_token = Base64Url(R"({"alg":"none","typ":"JWT"})") + "." + Base64Url(claims.dump()) + ".";
  EXPECT_EQ(Get("/api/v1/auth/me", "Bearer " + unsigned_token).status, 401);
  EXPECT_EQ(Get("/test/operator-only", "Bearer " + unsigned_token).status, 401);
}

TEST_F(GatewayAuthTest, OperatorRoutesAre403ForShoppersAndOpenForOperators) {
  const std::string email = UniqueEmail("shopper");
  Register(email);
  auto shopper = Get("/test/operator-only", "Bearer " + Login(email, "correct horse"));
  EXPECT_EQ(shopper.status, 403) << shopper.body;
  EXPECT_EQ(shopper.Header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(shopper.body)["type"], "https://storefront.dev/problems/forbidden");

  EXPECT_EQ(Get("/test/operator-only").status, 401);

  auto operator_token = Login(kOperatorEmail, kOperatorPassword);
  auto allowed = Get("/test/operator-only", "Bearer " + operator_token);
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_EQ(json::parse(allowed.body)["hello"], kOperatorEmail);
  EXPECT_EQ(json::parse(Get("/api/v1/auth/me", "Bearer " + operator_token).body)["role"], "operator");
}

TEST(SignInLoadTest, AFullQueueIs503WithRetryAfterNotAnEverLongerWait) {
  auto config = TestConfig(kOperatorEmail, kOperatorPassword);
  config.auth_workers = 1;
  config.auth_queue_capacity = 1;
  Server gateway(config);
  int port = gateway.Start();
  // Every request is on the wire before the first argon2id verification (tens of milliseconds at
  // least) can finish, so with one worker and one queue slot most of them find the queue full.
  const std::string body = json{{"email", kOperatorEmail}, {"password", "not the password"}}.dump();
  const std::string request = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::vector<std::unique_ptr<HttpConnection>> connections;
  for (int i = 0; i < 12; ++i) connections.push_back(std::make_unique<HttpConnection>(port));
  for (auto& connection : connections) ASSERT_TRUE(connection->SendRaw(request));
  int refused = 0;
  int answered = 0;
  for (auto& connection : connections) {
    auto response = connection->ReadResponse();
    ASSERT_TRUE(response);
    if (response->status == 503) {
      ++refused;
      EXPECT_EQ(response->Header("retry-after"), "1");
      EXPECT_EQ(response->Header("content-type"), "application/problem+json");
    } else {
      EXPECT_EQ(response->status, 401) << response->body;
      ++answered;
    }
  }
  EXPECT_GE(answered, 1);
  EXPECT_GE(refused, 1);
  gateway.Stop();
}

// Failed sign-ins (http::LoginThrottle) through the real login route: 3 per (email, address) and
// 5 per email. The gateway trusts 127.0.0.1 as its proxy, so X-Forwarded-For places each request
// at the address the test names.
// A stolen access token must not become a way to guess the password: wrong current passwords
// count towards the same throttle as failed sign-ins.
TEST(SignInThrottleTest, WrongPasswordsAtAPasswordChangeAreThrottledLikeSignIns) {
  auto config = TestConfig(kOperatorEmail, kOperatorPassword);
  http::LoginThrottleSettings throttle;
  throttle.per_pair = 3;
  throttle.per_email = 100;
  throttle.per_address = 100;
  throttle.window = 900s;
  config.login_throttle = throttle;
  Server gateway(config);
  int port = gateway.Start();
  auto post = [port](const std::string& path, const json& body, const std::string& token = "") {
    HttpConnection connection(port);
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    auto response = connection.Request("POST", path, body.dump(), headers);
    EXPECT_TRUE(response) << "no answer to " << path;
    return response.value_or(HttpResponse{});
  };
  const std::string email = UniqueEmail("stolen");
  ASSERT_EQ(post("/api/v1/auth/register", {{"email", email}, {"password", "the owner's password"}, {"name", "O"}}).status,
            201);
  auto signed_in = post("/api/v1/auth/login", {{"email", email}, {"password", "the owner's password"}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string token = json::parse(signed_in.body)["access_token"];
  for (int guess = 0; guess < 3; ++guess) {
    EXPECT_EQ(post("/api/v1/auth/password", {{"current_password", "guess " + std::to_string(guess)},
                                              {"new_password", "a new secret 456"}}, token).status,
              403);
  }
  auto throttled = post("/api/v1/auth/password", {{"current_password", "the owner's password"},
                                                   {"new_password", "a new secret 456"}}, token);
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_EQ(post("/api/v1/auth/login", {{"email", email}, {"password", "the owner's password"}}).status, 429)
      << "the guesses count towards sign-ins too";
  gateway.Stop();
}

TEST(SignInThrottleTest, GuessesAreThrottledPerPairAndPerEmailWhileTheOwnerStillSignsIn) {
  auto config = TestConfig(kOperatorEmail, kOperatorPassword);
  http::LoginThrottleSettings throttle;
  throttle.per_pair = 3;  // one more every 300 s
  throttle.per_email = 5;
  throttle.per_address = 100;
  throttle.window = 900s;
  config.login_throttle = throttle;
  std::string error;
  config.trusted_proxies = *http::TrustedProxies::Parse("127.0.0.1", &error);
  Server gateway(config);
  int port = gateway.Start();
  auto login = [port](const std::string& from, const std::string& email, const std::string& password) {
    HttpConnection connection(port);
    auto response = connection.Request("POST", "/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump(),
                                       {{"Content-Type", "application/json"}, {"X-Forwarded-For", from}});
    EXPECT_TRUE(response) << "no answer to a sign-in from " << from;
    return response.value_or(HttpResponse{});
  };
  const std::string email = UniqueEmail("owner");
  const std::string password = "the owner's password";
  {
    HttpConnection connection(port);
    auto registered = connection.Request("POST", "/api/v1/auth/register",
                                         json{{"email", email}, {"password", password}, {"name", "Owner"}}.dump(),
                                         {{"Content-Type", "application/json"}});
    ASSERT_TRUE(registered);
    ASSERT_EQ(registered->status, 201) << registered->body;
  }

  // An attacker at one address: three wrong guesses, then refused even with the right password,
  // so the refused attempt had no password checked at all.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("198.51.100.1", email, "guess number " + std::to_string(i)).status, 401);
  auto refused = login("198.51.100.1", email, password);
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Header("content-type"), "application/problem+json");
  EXPECT_EQ(refused.Header("ratelimit-policy"), R"("failed-logins-pair";q=3;w=900)");
  std::smatch window;
  const std::string field = refused.Header("ratelimit");
  ASSERT_TRUE(std::regex_match(field, window, std::regex(R"re("failed-logins-pair";r=0;t=(\d+))re"))) << field;
  EXPECT_GE(std::stoi(window[1]), 1);
  EXPECT_LE(std::stoi(window[1]), 300);
  EXPECT_EQ(refused.Header("retry-after"), window[1].str());
  EXPECT_EQ(json::parse(refused.body)["violated-policies"], json::array({"failed-logins-pair"}));

  // The owner at home is not held by the attacker's failures.
  EXPECT_EQ(login("203.0.113.5", email, password).status, 200);

  // An attacker at a second address brings the email's failures to five: strangers wait...
  for (int i = 0; i < 2; ++i) EXPECT_EQ(login("198.51.100.2", email, "another guess").status, 401);
  auto stranger = login("198.51.100.3", email, "yet another guess");
  ASSERT_EQ(stranger.status, 429) << stranger.body;
  EXPECT_EQ(json::parse(stranger.body)["violated-policies"], json::array({"failed-logins-email"}));
  // ...but not the owner, at an address where they signed in before.
  EXPECT_EQ(login("203.0.113.5", email, password).status, 200);
  gateway.Stop();
}

TEST(OperatorBootstrapTest, CreatesTheOperatorOnceAndPrintsItsGeneratedPasswordOnce) {
  const std::string email = UniqueEmail("first-operator");
  std::string first_stderr;
  {
    Server gateway(TestConfig(email, std::nullopt));
    ::testing::internal::CaptureStderr();
    gateway.Start();
    first_stderr = ::testing::internal::GetCapturedStderr();
    gateway.Stop();
  }
  std::smatch match;
  ASSERT_TRUE(std::regex_search(first_stderr, match, std::regex("\n    ([A-Za-z0-9]{20,})\n"))) << first_stderr;
  const std::string password = match[1];
  EXPECT_NE(first_stderr.find(email), std::string::npos);

  // Later starts, even with a password now configured, neither print nor change anything.
  for (std::optional<std::string> configured : {std::optional<std::string>(), std::optional<std::string>("a-new-password")}) {
    Server gateway(TestConfig(email, configured));
    ::testing::internal::CaptureStderr();
    int port = gateway.Start();
    std::string later_stderr = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(later_stderr.find(password), std::string::npos) << later_stderr;
    EXPECT_EQ(later_stderr.find("generated"), std::string::npos) << later_stderr;

    HttpConnection connection(port);
    auto login = connection.Request("POST", "/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump(),
                                    {{"Content-Type", "application/json"}});
    ASSERT_TRUE(login);
    ASSERT_EQ(login->status, 200) << login->body;
    auto token = json::parse(login->body)["access_token"].get<std::string>();
    auto me = connection.Request("GET", "/api/v1/auth/me", "", {{"Authorization", "Bearer " + token}});
    ASSERT_TRUE(me);
    EXPECT_EQ(json::parse(me->body)["role"], "operator");
    auto rejected = connection.Request("POST", "/api/v1/auth/login",
                                       json{{"email", email}, {"password", "a-new-password"}}.dump(),
                                       {{"Content-Type", "application/json"}});
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->status, 401);
    gateway.Stop();
  }
}

TEST(OperatorBootstrapTest, DoesNotPromoteAShopperWhoHoldsTheEmail) {
  const std::string email = UniqueEmail("would-be-operator");
  {
    Server gateway(TestConfig(kOperatorEmail, kOperatorPassword));
    int port = gateway.Start();
    HttpConnection connection(port);
    auto registered = connection.Request("POST", "/api/v1/auth/register",
                                         json{{"email", email}, {"password", "shopper-chosen"}, {"name", "S"}}.dump(),
                                         {{"Content-Type", "application/json"}});
    ASSERT_TRUE(registered);
    ASSERT_EQ(registered->status, 201);
    gateway.Stop();
  }
  Server gateway(TestConfig(email, std::nullopt));
  ::testing::internal::CaptureStderr();
  int port = gateway.Start();
  EXPECT_EQ(::testing::internal::GetCapturedStderr().find("generated"), std::string::npos);
  HttpConnection connection(port);
  auto login = connection.Request("POST", "/api/v1/auth/login",
                                  json{{"email", email}, {"password", "shopper-chosen"}}.dump(),
                                  {{"Content-Type", "application/json"}});
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200);
  auto token = json::parse(login->body)["access_token"].get<std::string>();
  auto me = connection.Request("GET", "/api/v1/auth/me", "", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(me);
  EXPECT_EQ(json::parse(me->body)["role"], "shopper");
  gateway.Stop();
}

}  // namespace
}  // namespace storefront::gateway

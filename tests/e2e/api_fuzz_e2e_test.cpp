// End to end: the REST API fuzzed against its contract. Schemathesis (PyPI, pinned in
// tests/fuzz/requirements.txt; infra/local/test installs it into .cache/fuzz-venv) reads
// gateway/openapi/openapi.json and, for every operation, sends the documented examples, data it
// generates from the schemas, and sequences of calls that follow the document's links, to the
// gateway of a whole local stack: once with a shopper's token, once with an operator's.
//
// A run passes when no answer is a 5xx, every status code is one the document lists for its
// operation, every body matches its schema and content type, every documented header its schema,
// and no operation that needs a token answers without one. Two of Schemathesis' checks are left
// out, each on purpose:
//   - positive_data_acceptance: a request the schema allows may still break a rule the schema
//     cannot say (a cursor this listing never returned, a date range wider than 1000 buckets);
//     the gateway answers those 400 naming the field, as it should.
//   - the "coverage" phase, which sends methods the document does not list (QUERY among them):
//     the gateway answers an unknown method 501 as RFC 9110 §9.1 asks, which Schemathesis counts as
//     a server error. GatewayHttpTest covers 405 with Allow and 501.
// And one operation: GET /api/v1/admin/observability answers its documented 503 when no
// Prometheus is configured, as in this stack; ObservabilityE2ETest drives it with one.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "e2e/api_client.h"
#include "e2e/local_stack.h"
#include "shared/testing/http_client.h"
#include "shared/testing/process.h"

namespace storefront::e2e {
namespace {

using nlohmann::json;

constexpr const char* kOperatorPassword = "operator-fuzz-password";
constexpr const char* kChecks =
    "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
    "response_schema_conformance,ignored_auth";

std::string Schemathesis() {
  if (const char* given = std::getenv("STOREFRONT_SCHEMATHESIS")) return given;
  return std::string(STOREFRONT_SOURCE_DIR) + "/.cache/fuzz-venv/bin/schemathesis";
}

class ApiFuzzE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One client address sends everything: the limits a real store keeps would answer most of it 429.
    stack_ = new LocalStack("", {{"STOREFRONT_OPERATOR_PASSWORD", kOperatorPassword},
                                 {"RATE_LIMIT_GENERAL_QUOTA", "1000000"},
                                 {"RATE_LIMIT_GENERAL_WINDOW_SECONDS", "1"},
                                 {"RATE_LIMIT_REGISTER_QUOTA", "1000000"},
                                 {"RATE_LIMIT_REGISTER_WINDOW_SECONDS", "1"},
                                 {"RATE_LIMIT_LOGIN_QUOTA", "1000000"},
                                 {"RATE_LIMIT_LOGIN_WINDOW_SECONDS", "1"},
                                 {"RATE_LIMIT_CHECKOUT_QUOTA", "1000000"},
                                 {"RATE_LIMIT_CHECKOUT_WINDOW_SECONDS", "1"},
                                 {"LOGIN_FAILURES_PER_PAIR", "1000"},
                                 {"LOGIN_FAILURES_PER_EMAIL", "1000000"},
                                 {"LOGIN_FAILURES_PER_ADDRESS", "1000000"}});
  }
  static void TearDownTestSuite() { delete stack_; }

  // Runs Schemathesis over the whole document with `token`; returns its exit status and leaves
  // its report in the log it names.
  static int Fuzz(const std::string& who, const std::string& token, std::string* log_path) {
    *log_path = stack_->state_dir() + "/schemathesis-" + who + ".log";
    testing::ProcessOptions options;
    options.argv = {Schemathesis(),
                    "run",
                    std::string(STOREFRONT_SOURCE_DIR) + "/gateway/openapi/openapi.json",
                    "--url", "http://127.0.0.1:" + std::to_string(stack_->gateway_port()),
                    "--header", "Authorization: Bearer " + token,
                    "--checks", kChecks,
                    "--phases", "examples,fuzzing,stateful",
                    "--max-examples", "8",
                    "--seed", "36",
                    "--request-timeout", "20",
                    "--exclude-path", "/api/v1/admin/observability",
                    "--no-color"};
    options.log_path = *log_path;
    testing::Process run(options);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (run.Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const int status = run.Stop(SIGTERM);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static LocalStack* stack_;
};

LocalStack* ApiFuzzE2ETest::stack_ = nullptr;

TEST_F(ApiFuzzE2ETest, TheShoppersViewKeepsItsContract) {
  ASSERT_TRUE(std::filesystem::exists(Schemathesis()))
      << Schemathesis() << " is missing: infra/local/test installs it (ensure_schemathesis)";
  ApiClient shopper(stack_->gateway_port());
  const std::string email = "fuzzed-" + std::to_string(::getpid()) + "@example.com";
  shopper.Expect(201, "POST", "/api/v1/auth/register",
                 json{{"email", email}, {"password", "correct horse battery"}, {"name", "Fuzz"}});
  auto signed_in = shopper.Expect(200, "POST", "/api/v1/auth/login",
                                  json{{"email", email}, {"password", "correct horse battery"}});
  std::string log;
  const int status = Fuzz("shopper", signed_in["access_token"], &log);
  EXPECT_EQ(status, 0) << testing::ReadFile(log);
}

TEST_F(ApiFuzzE2ETest, TheOperatorsViewKeepsItsContract) {
  ASSERT_TRUE(std::filesystem::exists(Schemathesis()))
      << Schemathesis() << " is missing: infra/local/test installs it (ensure_schemathesis)";
  ApiClient console(stack_->gateway_port());
  auto signed_in = console.Expect(200, "POST", "/api/v1/auth/login",
                                  json{{"email", "operator@storefront.local"}, {"password", kOperatorPassword}});
  std::string log;
  const int status = Fuzz("operator", signed_in["access_token"], &log);
  EXPECT_EQ(status, 0) << testing::ReadFile(log);
}

}  // namespace
}  // namespace storefront::e2e

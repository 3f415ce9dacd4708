#include "shared/rpc/status.h"

#include <gtest/gtest.h>

#include <pqxx/except>

#include "shared/db/pool.h"
#include "shared/errors/errors.h"

namespace storefront::rpc {
namespace {

// Handle, for a call that came with no deadline.
template <typename Fn>
grpc::Status HandleOnce(Fn&& body) {
  grpc::ServerContext context;
  return Handle(&context, std::forward<Fn>(body));
}

TEST(StatusTest, MapsEachDomainErrorToItsCode) {
  EXPECT_EQ(HandleOnce([] {}).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(HandleOnce([] { throw InvalidArgument("price", "must be >= 0"); }).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(HandleOnce([] { throw NotFound("no product"); }).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(HandleOnce([] { throw AlreadyExists("sku taken"); }).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(HandleOnce([] { throw FailedPrecondition("inactive"); }).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(HandleOnce([] { throw Unavailable("down"); }).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HandleOnce([] { throw DeadlineExceeded("no time left"); }).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(HandleOnce([] { throw Aborted("in progress"); }).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(HandleOnce([] { throw db::PoolExhausted("busy"); }).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// A PostgreSQL restart, a lock or statement timeout, a lost race: the caller may try again. Before,
// an administrator's shutdown met mid-request (SQLSTATE 57P01) answered INTERNAL, which the
// gateway turns into a 502 that says nothing about retrying.
TEST(StatusTest, ADatabaseRestartOrTimeoutIsUnavailableNotInternal) {
  for (const char* state : {"57P01", "57P03", "55P03", "57014", "53300"}) {
    auto status = HandleOnce([&] { throw pqxx::sql_error("the database said no for now", "SELECT 1", state); });
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << state;
  }
  EXPECT_EQ(HandleOnce([] { throw pqxx::in_doubt_error("commit outcome unknown"); }).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HandleOnce([] { throw pqxx::sql_error("syntax error", "SELEC 1", "42601"); }).error_code(),
            grpc::StatusCode::INTERNAL)
      << "a bug is still a bug";
}

TEST(StatusTest, InvalidArgumentNamesEveryField) {
  auto status = HandleOnce([] {
    Violations v;
    v.Add("sku", "must match [A-Z0-9-]{3,32}");
    v.Add("price.currency", "must be a 3-letter ISO 4217 code");
    v.ThrowIfAny();
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("sku: must match"), std::string::npos);
  EXPECT_NE(status.error_message().find("price.currency: must be"), std::string::npos);
}

TEST(StatusTest, UnexpectedErrorsDoNotLeakTheirDetail) {
  auto status = HandleOnce([] { throw std::runtime_error("password=hunter2 in DSN"); });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(), "internal error");
}

}  // namespace
}  // namespace storefront::rpc

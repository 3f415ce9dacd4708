#include "http/problem.h"

#include <gtest/gtest.h>

namespace storefront::gateway::http {
namespace {

TEST(ProblemTest, MapsUpstreamStatusesToHttp) {
  EXPECT_EQ(FromStatus({grpc::StatusCode::INVALID_ARGUMENT, "x: y"}, "catalog").status, 400);
  EXPECT_EQ(FromStatus({grpc::StatusCode::NOT_FOUND, "gone"}, "catalog").status, 404);
  EXPECT_EQ(FromStatus({grpc::StatusCode::ALREADY_EXISTS, "dup"}, "catalog").status, 409);
  EXPECT_EQ(FromStatus({grpc::StatusCode::UNAVAILABLE, "down"}, "catalog").status, 503);
  EXPECT_EQ(FromStatus({grpc::StatusCode::DEADLINE_EXCEEDED, "slow"}, "catalog").status, 504);
  auto internal = FromStatus({grpc::StatusCode::INTERNAL, "secret detail"}, "catalog");
  EXPECT_EQ(internal.status, 502);
  EXPECT_EQ(internal.detail.find("secret"), std::string::npos);
}

TEST(ProblemTest, InvalidArgumentNamesTheFields) {
  auto problem =
      FromStatus({grpc::StatusCode::INVALID_ARGUMENT, "limit: must be between 1 and 100; cursor: is not a cursor"},
                 "catalog");
  ASSERT_EQ(problem.errors.size(), 2u);
  EXPECT_EQ(problem.errors[0].field, "limit");
  EXPECT_EQ(problem.errors[1].field, "cursor");
  EXPECT_EQ(problem.errors[1].detail, "is not a cursor");
}

TEST(ProblemTest, SerialisesAsRfc9457) {
  auto json = BadRequest("bad limit", {{"limit", "too big"}}).ToJson("/api/v1/products", "req-1");
  EXPECT_EQ(json["status"], 400);
  EXPECT_EQ(json["type"], "https://storefront.dev/problems/invalid-request");
  EXPECT_EQ(json["title"], "Invalid request");
  EXPECT_EQ(json["instance"], "/api/v1/products");
  EXPECT_EQ(json["request_id"], "req-1");
  EXPECT_EQ(json["errors"][0]["field"], "limit");
}

TEST(ProblemTest, MapsTheGatewaysOwnDomainErrors) {
  auto invalid = FromDomainError(InvalidArgument(std::vector<FieldViolation>{{"email", "must not be empty"}, {"name", "too long"}}));
  EXPECT_EQ(invalid.status, 400);
  ASSERT_EQ(invalid.errors.size(), 2u);
  EXPECT_EQ(invalid.errors[0].field, "email");
  EXPECT_EQ(invalid.errors[1].detail, "too long");
  EXPECT_EQ(FromDomainError(storefront::NotFound("gone")).status, 404);
  EXPECT_EQ(FromDomainError(AlreadyExists("taken")).status, 409);
  EXPECT_EQ(FromDomainError(FailedPrecondition("state")).status, 409);
  EXPECT_EQ(FromDomainError(Unavailable("db down")).status, 503);
  auto other = FromDomainError(DomainError("secret detail"));
  EXPECT_EQ(other.status, 500);
  EXPECT_EQ(other.detail.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace storefront::gateway::http

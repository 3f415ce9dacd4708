#include "shared/rpc/status.h"

#include <gtest/gtest.h>

#include <pqxx/except>

#include "shared/db/pool.h"
#include "shared/errors/errors.h"
#include "storefront/common/v1/address.pb.h"
#include "storefront/common/v1/money.pb.h"

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


TEST(StatusTest, ATypedDetailTravelsAsAGoogleRpcStatusBesideTheCodeAndMessage) {
  storefront::common::v1::Money total;
  total.set_amount_minor(3000);
  total.set_currency("USD");
  const grpc::Status status =
      WithDetail({grpc::StatusCode::FAILED_PRECONDITION, "the total is now 30.00 USD"}, total);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "the total is now 30.00 USD");

  google::rpc::Status rich;  // what any gRPC client finds in grpc-status-details-bin
  ASSERT_TRUE(rich.ParseFromString(status.error_details()));
  EXPECT_EQ(rich.code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(rich.message(), "the total is now 30.00 USD");
  ASSERT_EQ(rich.details_size(), 1);
  EXPECT_EQ(rich.details(0).type_url(), "type.googleapis.com/storefront.common.v1.Money");

  auto found = DetailOf<storefront::common::v1::Money>(status);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->amount_minor(), 3000);
  EXPECT_EQ(found->currency(), "USD");
  EXPECT_FALSE(DetailOf<storefront::common::v1::Address>(status));  // a detail of another type
}

TEST(StatusTest, AStatusWithoutATypedDetailHasNone) {
  EXPECT_FALSE(DetailOf<storefront::common::v1::Money>({grpc::StatusCode::FAILED_PRECONDITION, "no"}));
  EXPECT_FALSE(DetailOf<storefront::common::v1::Money>({grpc::StatusCode::UNAVAILABLE, "open", "retry-after=5"}));
}
}  // namespace
}  // namespace storefront::rpc

// The fault lab's parts without a server: the table, validation, the draws (with an injected
// roll), the latency that gives up with its caller, and what rpc::Handle does with a call's fate.
#include "shared/rpc/faults.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>

#include "shared/errors/errors.h"
#include "shared/rpc/status.h"
#include "shared/types/deadline.h"

namespace storefront::rpc::faults {
namespace {

using namespace std::chrono_literals;

const std::set<std::string> kMethods = {"Authorize", "Capture"};

Fault Latency(std::string method, int ms) {
  return {.method = std::move(method), .latency_ms = ms, .set_by = "ops@example.com"};
}

// Rolls the given numbers in order; fails the test when asked for more.
PercentRoll Rolls(std::deque<int> numbers) {
  auto left = std::make_shared<std::deque<int>>(std::move(numbers));
  return [left] {
    if (left->empty()) {
      ADD_FAILURE() << "rolled more often than expected";
      return 0;
    }
    int number = left->front();
    left->pop_front();
    return number;
  };
}

std::vector<std::string> FieldsOf(const Fault& fault) {
  try {
    Validate(fault, kMethods);
  } catch (const InvalidArgument& error) {
    return error.fields();
  }
  return {};
}

TEST(FaultTableTest, SetReplacesListClearsOneOrAll) {
  FaultTable table;
  EXPECT_TRUE(table.empty());
  table.Set(Latency("Capture", 100));
  table.Set(Latency("*", 5));
  table.Set(Latency("Capture", 200));  // replaces the first
  ASSERT_FALSE(table.empty());
  auto list = table.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].method, "*") << "\"*\" first";
  EXPECT_EQ(list[1].method, "Capture");
  EXPECT_EQ(list[1].latency_ms, 200);

  EXPECT_EQ(table.Clear("Authorize"), 0) << "nothing was on for it";
  EXPECT_EQ(table.Clear("Capture"), 1);
  EXPECT_EQ(table.List().size(), 1u);
  table.Set(Latency("Authorize", 1));
  EXPECT_EQ(table.Clear(""), 2);
  EXPECT_TRUE(table.empty());
  EXPECT_TRUE(table.List().empty());
}

TEST(FaultTableTest, AMethodsOwnFaultWinsOverTheOneForEveryMethod) {
  FaultTable table;
  EXPECT_FALSE(table.DrawFor("Authorize").any()) << "no fault, no fate";
  table.Set(Latency("*", 50));
  table.Set(Latency("Capture", 700));
  EXPECT_EQ(table.DrawFor("Capture").latency, 700ms);
  EXPECT_EQ(table.DrawFor("Authorize").latency, 50ms);
  table.Clear("*");
  EXPECT_FALSE(table.DrawFor("Authorize").any());
}

TEST(FaultValidationTest, NamesEveryBadField) {
  EXPECT_TRUE(FieldsOf(Latency("Authorize", 30000)).empty());
  EXPECT_TRUE(FieldsOf(Latency("*", 1)).empty());
  EXPECT_TRUE(FieldsOf({.method = "Capture", .error_percent = 100, .abort_percent = 100, .set_by = "a"}).empty());

  EXPECT_EQ(FieldsOf({.method = "Refund", .latency_ms = 30001, .error_percent = 101, .abort_percent = -1, .set_by = ""}),
            (std::vector<std::string>{"method", "latency_ms", "error_percent", "abort_percent", "set_by"}));
  EXPECT_EQ(FieldsOf(Latency("Authorize", -1)), (std::vector<std::string>{"latency_ms"}));
  EXPECT_EQ(FieldsOf({.method = "authorize", .latency_ms = 5, .set_by = "a"}), (std::vector<std::string>{"method"}))
      << "method names are exact";
  EXPECT_EQ(FieldsOf({.method = "Authorize", .set_by = "a"}),
            (std::vector<std::string>{"latency_ms", "error_percent", "abort_percent"}))
      << "a fault with no effect is refused: clearing switches one off";
  EXPECT_EQ(FieldsOf({.method = "Authorize", .latency_ms = 5, .set_by = std::string(255, 'a')}),
            (std::vector<std::string>{"set_by"}));
}

TEST(FaultValidationTest, AnUnknownMethodsMessageListsTheKnownOnes) {
  Violations violations;
  ValidateMethod("Refund", kMethods, violations);
  ValidateMethod("*", kMethods, violations);
  ValidateMethod("Capture", kMethods, violations);
  ASSERT_EQ(violations.fields(), (std::vector<std::string>{"method"}));
  try {
    violations.ThrowIfAny();
  } catch (const InvalidArgument& error) {
    EXPECT_EQ(error.violations()[0].description,
              "'Refund' is not a method of this service; use \"*\" or one of: Authorize, Capture");
  }
}

TEST(FaultDrawTest, EachPercentageIsARollBelowIt) {
  const Fault fault{.method = "Authorize", .latency_ms = 20, .error_percent = 30, .abort_percent = 50, .set_by = "a"};
  auto failed = Draw(fault, Rolls({29}));
  EXPECT_TRUE(failed.fail);
  EXPECT_FALSE(failed.drop_answer) << "a call refused without its work cannot lose its answer too";
  EXPECT_EQ(failed.latency, 20ms);
  auto dropped = Draw(fault, Rolls({30, 49}));
  EXPECT_FALSE(dropped.fail);
  EXPECT_TRUE(dropped.drop_answer);
  auto clean = Draw(fault, Rolls({99, 50}));
  EXPECT_FALSE(clean.fail);
  EXPECT_FALSE(clean.drop_answer);
  EXPECT_TRUE(clean.any()) << "the latency still applies";
}

TEST(FaultDrawTest, ZeroAndHundredPercentNeedNoRoll) {
  auto never = Draw({.method = "*", .latency_ms = 1, .set_by = "a"}, Rolls({}));
  EXPECT_FALSE(never.fail);
  EXPECT_FALSE(never.drop_answer);
  EXPECT_TRUE(Draw({.method = "*", .error_percent = 100, .set_by = "a"}, Rolls({})).fail);
  EXPECT_TRUE(Draw({.method = "*", .abort_percent = 100, .set_by = "a"}, Rolls({})).drop_answer);
}

TEST(FaultDrawTest, TheTableDrawsWithItsRoll) {
  FaultTable table(Rolls({10, 90}));
  table.Set({.method = "Capture", .error_percent = 50, .set_by = "a"});
  EXPECT_TRUE(table.DrawFor("Capture").fail);
  EXPECT_FALSE(table.DrawFor("Capture").fail);
}

TEST(FaultDrawTest, TheRandomRollStaysWithinZeroToNinetyNine) {
  std::set<int> seen;
  for (int i = 0; i < 5000; ++i) {
    int roll = RandomPercentRoll();
    ASSERT_GE(roll, 0);
    ASSERT_LE(roll, 99);
    seen.insert(roll);
  }
  EXPECT_GT(seen.size(), 90u) << "spread over the range";
}

TEST(FaultLatencyTest, WaitsTheWholeLatencyForACallerStillThere) {
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitUnlessCallerGone(40ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 40ms);
}

TEST(FaultLatencyTest, StopsWaitingAtTheCallersDeadline) {
  deadline::Scope scope(deadline::Clock::now() + 50ms);
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(WaitUnlessCallerGone(20s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s) << "did not sleep past the caller's deadline";
}

TEST(FaultLatencyTest, StopsWaitingWhenTheCallerHangsUp) {
  std::atomic<bool> gone{false};
  deadline::Scope scope(std::nullopt, [&] { return gone.load(); });
  std::thread hang_up([&] {
    std::this_thread::sleep_for(30ms);
    gone = true;
  });
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(WaitUnlessCallerGone(20s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  hang_up.join();
}

TEST(FaultHooksTest, ACallWithoutAFateIsLeftAlone) {
  grpc::ServerContext context;
  EXPECT_NO_THROW(BeforeWork(&context));
  EXPECT_NO_THROW(AfterWork(&context));
}

TEST(FaultHooksTest, AFiledFateLastsAsLongAsItsFiling) {
  grpc::ServerContext context;
  {
    FiledFate filed(&context, {.fail = true});
    try {
      BeforeWork(&context);
      ADD_FAILURE() << "no injected error";
    } catch (const Unavailable& error) {
      EXPECT_EQ(std::string(error.what()), kInjectedError);
    }
    grpc::ServerContext other;
    EXPECT_NO_THROW(BeforeWork(&other)) << "only the call it was drawn for";
  }
  EXPECT_NO_THROW(BeforeWork(&context)) << "gone with the call";
}

TEST(FaultHooksTest, HandleDoesNotRunTheWorkOfAFailedCall) {
  grpc::ServerContext context;
  FiledFate filed(&context, {.fail = true});
  bool ran = false;
  auto status = Handle(&context, [&] { ran = true; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), kInjectedError);
  EXPECT_FALSE(ran);
}

TEST(FaultHooksTest, HandleDropsTheAnswerAfterTheWork) {
  grpc::ServerContext context;
  FiledFate filed(&context, {.drop_answer = true});
  bool ran = false;
  auto status = Handle(&context, [&] { ran = true; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), kDroppedAnswer);
  EXPECT_TRUE(ran);
}

TEST(FaultHooksTest, AWorkThatFailsKeepsItsOwnError) {
  grpc::ServerContext context;
  FiledFate filed(&context, {.drop_answer = true});
  auto status = Handle(&context, [] { throw NotFound("no such payment"); });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace storefront::rpc::faults

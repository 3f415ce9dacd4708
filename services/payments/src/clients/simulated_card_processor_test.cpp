// The simulated processor over books in memory: the test cards, and its idempotency on the key
// (the books in PostgreSQL are exercised by the integration tests, across a restart).
#include "clients/simulated_card_processor.h"

#include <gtest/gtest.h>

#include "shared/errors/errors.h"

namespace storefront::payments::clients {
namespace {

using Result = domain::ProcessorOutcome::Result;

domain::Card CardWith(const char* number) { return {number, 12, 2030, "123"}; }
const domain::Money kAmount{1000, "USD"};

class SimulatedProcessorTest : public ::testing::Test {
 protected:
  InMemoryProcessorBooks books_;
  SimulatedCardProcessor processor_{books_};
};

TEST_F(SimulatedProcessorTest, AnswersLikeAGatewayInTestMode) {
  auto approved = processor_.Authorize("p1:authorize", CardWith(kApprovedCard), kAmount);
  EXPECT_TRUE(approved.approved);
  EXPECT_EQ(approved.reference.rfind("sim_auth_", 0), 0u) << approved.reference;

  auto declined = processor_.Authorize("p2:authorize", CardWith(kDeclinedCard), kAmount);
  EXPECT_FALSE(declined.approved);
  EXPECT_EQ(declined.decline_code, "card_declined");

  auto broke = processor_.Authorize("p3:authorize", CardWith(kInsufficientFundsCard), kAmount);
  EXPECT_FALSE(broke.approved);
  EXPECT_EQ(broke.decline_code, "insufficient_funds");

  EXPECT_THROW(processor_.Authorize("p4:authorize", CardWith(kProcessorErrorCard), kAmount), Unavailable);

  // Any other (Luhn-valid) number is approved.
  EXPECT_TRUE(processor_.Authorize("p5:authorize", CardWith("5555555555554444"), kAmount).approved);
}

TEST_F(SimulatedProcessorTest, AKeyAskedAgainGetsItsFirstOutcomeAndNothingMoreHappens) {
  auto first = processor_.Authorize("p1:authorize", CardWith(kApprovedCard), kAmount);
  auto again = processor_.Authorize("p1:authorize", CardWith(kApprovedCard), kAmount);
  EXPECT_EQ(again.reference, first.reference) << "the same hold, not a second one";
  EXPECT_NE(processor_.Authorize("p2:authorize", CardWith(kApprovedCard), kAmount).reference, first.reference);
  // Whatever the second call says: a key is answered as it was the first time.
  EXPECT_TRUE(processor_.Authorize("p1:authorize", CardWith(kDeclinedCard), {5, "EUR"}).approved);

  processor_.Capture("p1:capture", first.reference, kAmount);
  processor_.Capture("p1:capture", first.reference, kAmount);
  EXPECT_EQ(books_.Find("p1:capture")->amount, kAmount);
  EXPECT_EQ(books_.Find("p1:capture")->operation, domain::Operation::kCapture);

  // An outage acts on nothing: the key stays unknown, and may be sent again.
  EXPECT_THROW(processor_.Authorize("p9:authorize", CardWith(kProcessorErrorCard), kAmount), Unavailable);
  EXPECT_EQ(books_.Find("p9:authorize"), std::nullopt);
}

TEST_F(SimulatedProcessorTest, TellsWhatItDidWithAKey) {
  EXPECT_EQ(processor_.Outcome("p1:authorize").result, Result::kUnknown);
  auto approved = processor_.Authorize("p1:authorize", CardWith(kApprovedCard), kAmount);
  EXPECT_EQ(processor_.Outcome("p1:authorize"),
            (domain::ProcessorOutcome{Result::kSucceeded, approved.reference, ""}));
  processor_.Authorize("p2:authorize", CardWith(kInsufficientFundsCard), kAmount);
  EXPECT_EQ(processor_.Outcome("p2:authorize"),
            (domain::ProcessorOutcome{Result::kDeclined, "", "insufficient_funds"}));
  processor_.Void("p1:void", approved.reference);
  EXPECT_EQ(processor_.Outcome("p1:void").result, Result::kSucceeded);
  EXPECT_EQ(processor_.Outcome("p1:refund:x").result, Result::kUnknown);
}

TEST_F(SimulatedProcessorTest, ActsOnlyOnItsOwnHolds) {
  EXPECT_NO_THROW(processor_.Capture("a:capture", "sim_auth_a", kAmount));
  EXPECT_NO_THROW(processor_.Void("a:void", "sim_auth_a"));
  EXPECT_NO_THROW(processor_.Refund("a:refund:1", "sim_auth_a", kAmount));
  try {
    processor_.Capture("b:capture", "someone_elses_hold", kAmount);
    FAIL() << "expected ProcessorRefused";
  } catch (const domain::ProcessorRefused& refused) {
    EXPECT_EQ(refused.code(), kUnknownAuthorization);
  }
  EXPECT_EQ(processor_.Outcome("b:capture"), (domain::ProcessorOutcome{Result::kDeclined, "", kUnknownAuthorization}));
  EXPECT_THROW(processor_.Capture("b:capture", "sim_auth_b", kAmount), domain::ProcessorRefused)
      << "the key keeps its first answer";
}

}  // namespace
}  // namespace storefront::payments::clients

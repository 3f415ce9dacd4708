#include "clients/simulated_card_processor.h"

#include <gtest/gtest.h>

#include "shared/errors/errors.h"

namespace storefront::payments::clients {
namespace {

domain::Card CardWith(const char* number) { return {number, 12, 2030, "123"}; }
const domain::Money kAmount{1000, "USD"};

TEST(SimulatedProcessorTest, AnswersLikeAGatewayInTestMode) {
  SimulatedCardProcessor processor;
  auto approved = processor.Authorize("p1", CardWith(kApprovedCard), kAmount);
  EXPECT_TRUE(approved.approved);
  EXPECT_EQ(approved.reference, "sim_auth_p1");

  auto declined = processor.Authorize("p2", CardWith(kDeclinedCard), kAmount);
  EXPECT_FALSE(declined.approved);
  EXPECT_EQ(declined.decline_code, "card_declined");

  auto broke = processor.Authorize("p3", CardWith(kInsufficientFundsCard), kAmount);
  EXPECT_FALSE(broke.approved);
  EXPECT_EQ(broke.decline_code, "insufficient_funds");

  EXPECT_THROW(processor.Authorize("p4", CardWith(kProcessorErrorCard), kAmount), Unavailable);

  // Any other (Luhn-valid) number is approved.
  EXPECT_TRUE(processor.Authorize("p5", CardWith("5555555555554444"), kAmount).approved);
}

TEST(SimulatedProcessorTest, AskingTwiceForOnePaymentYieldsTheSameHold) {
  SimulatedCardProcessor processor;
  EXPECT_EQ(processor.Authorize("p1", CardWith(kApprovedCard), kAmount).reference,
            processor.Authorize("p1", CardWith(kApprovedCard), kAmount).reference);
}

TEST(SimulatedProcessorTest, ActsOnlyOnItsOwnHolds) {
  SimulatedCardProcessor processor;
  EXPECT_NO_THROW(processor.Capture("sim_auth_p1", kAmount));
  EXPECT_NO_THROW(processor.Void("sim_auth_p1"));
  EXPECT_NO_THROW(processor.Refund("sim_auth_p1", kAmount));
  EXPECT_THROW(processor.Capture("", kAmount), std::invalid_argument);
}

}  // namespace
}  // namespace storefront::payments::clients

// The shipment life cycle, exhaustively: every (current, target) pair of AdvanceShipment and
// every status for CancelShipment.
#include "domain/status_machine.h"

#include <gtest/gtest.h>

namespace storefront::shipping::domain {
namespace {

using S = ShipmentStatus;

const Timestamp kCreated{std::chrono::seconds(1'800'000'000)};
const Timestamp kNow = kCreated + std::chrono::hours(5);

Shipment InStatus(S status) {
  Shipment s;
  s.id = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
  s.status = status;
  s.created_at = s.updated_at = kCreated;
  if (status == S::kDispatched || status == S::kDelivered) s.dispatched_at = kCreated + std::chrono::hours(1);
  if (status == S::kDelivered) s.delivered_at = kCreated + std::chrono::hours(2);
  if (status == S::kCancelled) {
    s.cancelled_at = kCreated + std::chrono::hours(1);
    s.cancel_reason = "first reason";
  }
  return s;
}

enum class Outcome { kApplied, kUnchanged, kRefused };

Outcome TryAdvance(S from, S to) {
  Shipment s = InStatus(from);
  const Shipment before = s;
  try {
    if (!Advance(s, to, kNow)) {
      EXPECT_EQ(s.status, before.status);
      EXPECT_EQ(s.updated_at, before.updated_at);
      EXPECT_EQ(s.dispatched_at, before.dispatched_at);
      return Outcome::kUnchanged;
    }
    EXPECT_EQ(s.status, to);
    EXPECT_EQ(s.updated_at, kNow);
    return Outcome::kApplied;
  } catch (const FailedPrecondition&) {
    EXPECT_EQ(s.status, before.status) << "a refused transition changes nothing";
    return Outcome::kRefused;
  }
}

TEST(StatusMachineTest, OnlyTheNextStatusIsReachableAndTheCurrentOneIsANoOp) {
  const S kAll[] = {S::kLabelCreated, S::kDispatched, S::kDelivered, S::kCancelled};
  const S kTargets[] = {S::kLabelCreated, S::kDispatched, S::kDelivered};
  for (S from : kAll) {
    for (S to : kTargets) {
      Outcome expected = from == to                                                     ? Outcome::kUnchanged
                         : (from == S::kLabelCreated && to == S::kDispatched) ||
                                 (from == S::kDispatched && to == S::kDelivered)
                             ? Outcome::kApplied
                             : Outcome::kRefused;
      EXPECT_EQ(TryAdvance(from, to), expected) << Name(from) << " -> " << Name(to);
    }
  }
}

TEST(StatusMachineTest, EachStepStampsItsTimestampOnce) {
  Shipment s = InStatus(S::kLabelCreated);
  ASSERT_TRUE(Advance(s, S::kDispatched, kNow));
  EXPECT_EQ(s.dispatched_at, kNow);
  EXPECT_FALSE(s.delivered_at);

  const Timestamp later = kNow + std::chrono::hours(30);
  EXPECT_FALSE(Advance(s, S::kDispatched, later)) << "a retry";
  EXPECT_EQ(s.dispatched_at, kNow) << "a retry keeps the first time";

  ASSERT_TRUE(Advance(s, S::kDelivered, later));
  EXPECT_EQ(s.delivered_at, later);
  EXPECT_EQ(s.dispatched_at, kNow);
  EXPECT_EQ(s.updated_at, later);
}

TEST(StatusMachineTest, TheRefusalSaysWhatTheNextStatusWouldBe) {
  Shipment s = InStatus(S::kLabelCreated);
  try {
    Advance(s, S::kDelivered, kNow);
    FAIL() << "skipping DISPATCHED must be refused";
  } catch (const FailedPrecondition& e) {
    EXPECT_NE(std::string(e.what()).find("the next status is DISPATCHED"), std::string::npos) << e.what();
  }
}

TEST(StatusMachineTest, CancelOnlyBeforeDispatch) {
  Shipment s = InStatus(S::kLabelCreated);
  ASSERT_TRUE(Cancel(s, "order cancelled by the customer", kNow));
  EXPECT_EQ(s.status, S::kCancelled);
  EXPECT_EQ(s.cancel_reason, "order cancelled by the customer");
  EXPECT_EQ(s.cancelled_at, kNow);
  EXPECT_EQ(s.updated_at, kNow);

  for (S with_carrier : {S::kDispatched, S::kDelivered}) {
    Shipment t = InStatus(with_carrier);
    EXPECT_THROW(Cancel(t, "too late", kNow), FailedPrecondition) << Name(with_carrier);
    EXPECT_EQ(t.status, with_carrier);
  }
}

TEST(StatusMachineTest, CancellingTwiceKeepsTheFirstReasonAndTime) {
  Shipment s = InStatus(S::kCancelled);
  EXPECT_FALSE(Cancel(s, "second reason", kNow));
  EXPECT_EQ(s.cancel_reason, "first reason");
  EXPECT_EQ(s.cancelled_at, kCreated + std::chrono::hours(1));
}

TEST(StatusMachineTest, NamesRoundTrip) {
  for (S s : {S::kLabelCreated, S::kDispatched, S::kDelivered, S::kCancelled}) {
    EXPECT_EQ(StatusFromName(Name(s)), s);
  }
  EXPECT_FALSE(StatusFromName("UNSPECIFIED"));
  EXPECT_FALSE(StatusFromName("dispatched"));
  EXPECT_EQ(NextStatus(S::kLabelCreated), S::kDispatched);
  EXPECT_EQ(NextStatus(S::kDispatched), S::kDelivered);
  EXPECT_FALSE(NextStatus(S::kDelivered));
  EXPECT_FALSE(NextStatus(S::kCancelled));
}

TEST(StatusMachineTest, AMoveByHandClearsTheAutomaticSchedule) {
  Shipment s = InStatus(S::kLabelCreated);
  s.next_step_at = kNow + std::chrono::minutes(1);
  EXPECT_FALSE(Advance(s, S::kLabelCreated, kNow));
  EXPECT_EQ(s.next_step_at, kNow + std::chrono::minutes(1)) << "a no-op leaves the schedule alone";
  ASSERT_TRUE(Advance(s, S::kDispatched, kNow));
  EXPECT_FALSE(s.next_step_at);

  Shipment t = InStatus(S::kLabelCreated);
  t.next_step_at = kNow + std::chrono::minutes(1);
  ASSERT_TRUE(Cancel(t, "order cancelled", kNow));
  EXPECT_FALSE(t.next_step_at);
}

TEST(StatusMachineTest, EveryMoveAnnouncesItsEventAndNoMoveAnnouncesNothing) {
  EXPECT_EQ(EventForMove(S::kLabelCreated, S::kDispatched), ShipmentEvent::kDispatched);
  EXPECT_EQ(EventForMove(S::kDispatched, S::kDelivered), ShipmentEvent::kDelivered);
  EXPECT_EQ(EventForMove(S::kLabelCreated, S::kCancelled), ShipmentEvent::kCancelled);
  for (S s : {S::kLabelCreated, S::kDispatched, S::kDelivered, S::kCancelled}) {
    EXPECT_FALSE(EventForMove(s, s)) << Name(s);
  }
}

}  // namespace
}  // namespace storefront::shipping::domain

// The automatic progression's rules, with time passed in: scheduling, each due step, and nothing
// before its time.
#include "domain/progression.h"

#include <gtest/gtest.h>

#include "domain/status_machine.h"

namespace storefront::shipping::domain {
namespace {

using namespace std::chrono_literals;
using S = ShipmentStatus;

const Timestamp kConfirmed{std::chrono::seconds(1'800'000'000)};
const ProgressionDelays kDelays{.dispatch = 30s, .delivery = 60s};

Shipment Labelled() {
  Shipment s;
  s.id = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
  s.status = S::kLabelCreated;
  s.created_at = s.updated_at = kConfirmed - 1min;
  return s;
}

TEST(ProgressionTest, ConfirmationSchedulesTheDispatch) {
  Shipment s = Labelled();
  ASSERT_TRUE(ScheduleProgression(s, kConfirmed, kDelays));
  EXPECT_EQ(s.next_step_at, kConfirmed + 30s);
  EXPECT_EQ(s.status, S::kLabelCreated);
  EXPECT_EQ(s.updated_at, kConfirmed);

  EXPECT_FALSE(ScheduleProgression(s, kConfirmed + 20s, kDelays)) << "a second confirmation does not push it back";
  EXPECT_EQ(s.next_step_at, kConfirmed + 30s);
}

TEST(ProgressionTest, OnlyALabelledShipmentIsScheduled) {
  for (S status : {S::kDispatched, S::kDelivered, S::kCancelled}) {
    Shipment s = Labelled();
    s.status = status;
    EXPECT_FALSE(ScheduleProgression(s, kConfirmed, kDelays)) << Name(status);
    EXPECT_FALSE(s.next_step_at);
  }
}

TEST(ProgressionTest, DispatchedWhenDueThenDeliveredTheDeliveryDelayLater) {
  Shipment s = Labelled();
  ScheduleProgression(s, kConfirmed, kDelays);

  EXPECT_FALSE(TakeDueStep(s, kConfirmed + 29s, kDelays)) << "not yet due";
  EXPECT_EQ(s.status, S::kLabelCreated);

  // The ticker comes a little late: the step is stamped when it happened, and the delivery is
  // counted from there.
  const Timestamp tick = kConfirmed + 31s;
  ASSERT_TRUE(TakeDueStep(s, tick, kDelays));
  EXPECT_EQ(s.status, S::kDispatched);
  EXPECT_EQ(s.dispatched_at, tick);
  EXPECT_EQ(s.next_step_at, tick + 60s);

  EXPECT_FALSE(TakeDueStep(s, tick + 59s, kDelays));
  ASSERT_TRUE(TakeDueStep(s, tick + 60s, kDelays));
  EXPECT_EQ(s.status, S::kDelivered);
  EXPECT_EQ(s.delivered_at, tick + 60s);
  EXPECT_FALSE(s.next_step_at) << "nothing left to schedule";
  EXPECT_FALSE(TakeDueStep(s, tick + 1h, kDelays));
}

TEST(ProgressionTest, AnUnscheduledShipmentNeverMoves) {
  Shipment s = Labelled();
  EXPECT_FALSE(TakeDueStep(s, kConfirmed + 1000h, kDelays));
  EXPECT_EQ(s.status, S::kLabelCreated);
}

TEST(ProgressionTest, ZeroDelaysMoveOnAtTheNextTick) {
  const ProgressionDelays now{.dispatch = 0s, .delivery = 0s};
  Shipment s = Labelled();
  ScheduleProgression(s, kConfirmed, now);
  ASSERT_TRUE(TakeDueStep(s, kConfirmed, now));
  ASSERT_TRUE(TakeDueStep(s, kConfirmed, now));
  EXPECT_EQ(s.status, S::kDelivered);
}

}  // namespace
}  // namespace storefront::shipping::domain

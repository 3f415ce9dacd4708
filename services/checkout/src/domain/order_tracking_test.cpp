#include "domain/order_tracking.h"

#include <gtest/gtest.h>

#include "domain/mocks.h"

namespace storefront::checkout::domain {
namespace {

using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

constexpr const char* kOrder = "00000000-0000-4000-8000-000000000001";

class OrderTrackingTest : public ::testing::Test {
 protected:
  StrictMock<MockOrderTrackingStore> store_;
  OrderTracking tracking_{store_};
};

// CANCELLING too: the parcel left before the cancel reached shipping, which turns the cancel down.
TEST_F(OrderTrackingTest, ADispatchShipsOnlyAConfirmedOrBeingCancelledOrder) {
  InSequence in_order;
  EXPECT_CALL(store_, SetShipmentStatus(kOrder, ShipmentStatus::kDispatched));
  EXPECT_CALL(store_, Advance(kOrder, std::vector<OrderStatus>{OrderStatus::kConfirmed, OrderStatus::kCancelling},
                              OrderStatus::kShipped,
                              "Shipped with USPS, tracking USPS123"))
      .WillOnce(Return(true));
  tracking_.ShipmentDispatched(kOrder, "USPS", "USPS123");
}

TEST_F(OrderTrackingTest, ADeliveryMovesAConfirmedOrShippedOrderToDelivered) {
  InSequence in_order;
  EXPECT_CALL(store_, SetShipmentStatus(kOrder, ShipmentStatus::kDelivered));
  EXPECT_CALL(store_, Advance(kOrder,
                              std::vector<OrderStatus>{OrderStatus::kConfirmed, OrderStatus::kCancelling,
                                                       OrderStatus::kShipped},
                              OrderStatus::kDelivered, "Delivered"))
      .WillOnce(Return(false));
  tracking_.ShipmentDelivered(kOrder);
}

TEST_F(OrderTrackingTest, ACancelledShipmentOnlyChangesTheShipmentStatus) {
  EXPECT_CALL(store_, SetShipmentStatus(kOrder, ShipmentStatus::kCancelled));
  tracking_.ShipmentCancelled(kOrder);
}

// A full refund also makes a sold order REFUNDED, even when the operator's call that asked for it
// never heard back.
TEST_F(OrderTrackingTest, PaymentEventsSetThePaymentStatusAndAFullRefundRefundsTheOrder) {
  InSequence in_order;
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kCaptured));
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kVoided));
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kPartiallyRefunded));
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kRefunded));
  EXPECT_CALL(store_, Advance(kOrder,
                              std::vector<OrderStatus>{OrderStatus::kConfirmed, OrderStatus::kShipped,
                                                       OrderStatus::kDelivered},
                              OrderStatus::kRefunded, "Refunded"))
      .WillOnce(Return(true));
  tracking_.PaymentCaptured(kOrder);
  tracking_.PaymentVoided(kOrder);
  tracking_.PaymentRefunded(kOrder, /*fully_refunded=*/false);
  tracking_.PaymentRefunded(kOrder, /*fully_refunded=*/true);
}

}  // namespace
}  // namespace storefront::checkout::domain

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

TEST_F(OrderTrackingTest, ADispatchShipsOnlyAConfirmedOrder) {
  InSequence in_order;
  EXPECT_CALL(store_, SetShipmentStatus(kOrder, ShipmentStatus::kDispatched));
  EXPECT_CALL(store_, Advance(kOrder, std::vector<OrderStatus>{OrderStatus::kConfirmed}, OrderStatus::kShipped,
                              "Shipped with USPS, tracking USPS123"))
      .WillOnce(Return(true));
  tracking_.ShipmentDispatched(kOrder, "USPS", "USPS123");
}

TEST_F(OrderTrackingTest, ADeliveryMovesAConfirmedOrShippedOrderToDelivered) {
  InSequence in_order;
  EXPECT_CALL(store_, SetShipmentStatus(kOrder, ShipmentStatus::kDelivered));
  EXPECT_CALL(store_, Advance(kOrder, std::vector<OrderStatus>{OrderStatus::kConfirmed, OrderStatus::kShipped},
                              OrderStatus::kDelivered, "Delivered"))
      .WillOnce(Return(false));
  tracking_.ShipmentDelivered(kOrder);
}

TEST_F(OrderTrackingTest, ACancelledShipmentOnlyChangesTheShipmentStatus) {
  EXPECT_CALL(store_, SetShipmentStatus(kOrder, ShipmentStatus::kCancelled));
  tracking_.ShipmentCancelled(kOrder);
}

TEST_F(OrderTrackingTest, PaymentEventsSetThePaymentStatus) {
  InSequence in_order;
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kCaptured));
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kVoided));
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kPartiallyRefunded));
  EXPECT_CALL(store_, SetPaymentStatus(kOrder, PaymentStatus::kRefunded));
  tracking_.PaymentCaptured(kOrder);
  tracking_.PaymentVoided(kOrder);
  tracking_.PaymentRefunded(kOrder, /*fully_refunded=*/false);
  tracking_.PaymentRefunded(kOrder, /*fully_refunded=*/true);
}

}  // namespace
}  // namespace storefront::checkout::domain

#include "domain/checkout.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "domain/mocks.h"

namespace storefront::checkout::domain {
namespace {

using ::testing::_;
using ::testing::Invoke;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::Throw;

constexpr const char* kLamp = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kMug = "1c7f7b4f-9e63-4d2f-8b1c-3a2a1d8cab22";
const Timestamp kCartVersion = types::FromMicros(1'799'999'990'000'123);

PlaceOrderCommand Command(std::string key = "key-1") {
  PlaceOrderCommand c;
  c.idempotency_key = std::move(key);
  c.customer_id = "customer-1";
  c.customer_email = "ada@example.com";
  c.shipping_address = {"Ada Lovelace", "12 St James's Square", "", "London", "", "SW1Y 4JH", "GB"};
  c.shipping_option_id = "standard";
  c.card = {"4242 4242 4242 4242", 12, 2030, "123"};
  return c;
}

class CheckoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ON_CALL(cart_, GetCart(_)).WillByDefault(Return(CartContents{{{kLamp, 2}, {kMug, 1}}, kCartVersion}));
    ON_CALL(catalog_, BatchGet(_))
        .WillByDefault(Return(std::vector<PricedProduct>{{kLamp, "HOM-LP-1", "Lamp", {2500, "USD"}, true},
                                                         {kMug, "HOM-MG-1", "Mug", {900, "USD"}, true}}));
    ON_CALL(shipping_, Quote(_, _, _))
        .WillByDefault(Return(std::vector<ShippingQuote>{{"standard", "Parcelline", "Standard", {599, "USD"}},
                                                         {"express", "Parcelline", "Express", {1599, "USD"}}}));
    ON_CALL(inventory_, Reserve(_, _, _)).WillByDefault(Return(ReserveResult{"res-1", {}}));
    ON_CALL(payments_, Authorize(_, _, _))
        .WillByDefault(Return(PaymentResult{"pay-1", PaymentStatus::kAuthorized, "", "VISA", "4242"}));
    ON_CALL(payments_, Void(_, _))
        .WillByDefault(Return(PaymentResult{"pay-1", PaymentStatus::kVoided, "", "VISA", "4242"}));
    ON_CALL(shipping_, CreateShipment(_))
        .WillByDefault(Return(ShipmentResult{"ship-1", "Parcelline", "PL123456789012", ShipmentStatus::kLabelCreated}));
  }

  StepState SavedState(const std::string& step) {
    const Order& latest = orders_.history.back();
    const SagaStep* s = latest.Step(step);
    return s ? s->state : StepState::kCompensated;
  }

  InMemoryOrders orders_;
  NiceMock<MockCart> cart_;
  NiceMock<MockCatalog> catalog_;
  NiceMock<MockShipping> shipping_;
  NiceMock<MockInventory> inventory_;
  NiceMock<MockPayments> payments_;
  Checkout checkout_{orders_, cart_, catalog_, shipping_, inventory_, payments_, SagaSettings{},
                     [] { return Timestamp(std::chrono::seconds(1800000000)); }};
};

TEST_F(CheckoutTest, HappyPathConfirmsWithRepricedTotals) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kConfirmed);
  EXPECT_EQ(order.subtotal, (Money{2 * 2500 + 900, "USD"}));
  EXPECT_EQ(order.total, (Money{5900 + 599, "USD"}));
  EXPECT_EQ(order.tracking_number, "PL123456789012");
  EXPECT_EQ(order.card_last4, "4242");
  EXPECT_EQ(order.cart_version, kCartVersion) << "the version of the cart it was priced from";
  for (const char* step : {kStepLoadCart, kStepPrice, kStepQuote, kStepReserve, kStepAuthorize, kStepShipment,
                           kStepCommitStock, kStepConfirm}) {
    ASSERT_NE(order.Step(step), nullptr) << step;
    EXPECT_EQ(order.Step(step)->state, StepState::kSucceeded) << step;
  }
  EXPECT_EQ(order.timeline.back().status, OrderStatus::kConfirmed);
  EXPECT_FALSE(orders_.leased[order.id]) << "a finished saga gives its lease back, with its last save";
  // Placed when created, Confirmed with the confirmation: what inventory, cart and shipping
  // react to.
  EXPECT_EQ(orders_.published, (std::vector<std::pair<std::string, OrderEvent>>{
                                   {order.id, OrderEvent::kPlaced}, {order.id, OrderEvent::kConfirmed}}));
}

TEST_F(CheckoutTest, AFailedOrderAnnouncesItsFailureOnce) {
  EXPECT_CALL(payments_, Authorize(_, _, _))
      .WillOnce(Return(PaymentResult{"pay-2", PaymentStatus::kDeclined, "card_declined", "VISA", "0002"}));
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(orders_.published, (std::vector<std::pair<std::string, OrderEvent>>{
                                   {order.id, OrderEvent::kPlaced}, {order.id, OrderEvent::kFailed}}));
}

TEST_F(CheckoutTest, EachStepIsRecordedBeforeItsCallStarts) {
  EXPECT_CALL(inventory_, Reserve(_, _, _)).WillOnce(Invoke([&](auto&, auto&, int) {
    EXPECT_EQ(SavedState(kStepReserve), StepState::kPending);
    return ReserveResult{"res-1", {}};
  }));
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Invoke([&](auto&, const Order& order, auto&) {
    EXPECT_EQ(SavedState(kStepAuthorize), StepState::kPending);
    EXPECT_EQ(SavedState(kStepReserve), StepState::kSucceeded);
    EXPECT_EQ(order.total.amount_minor, 6499);
    return PaymentResult{"pay-1", PaymentStatus::kAuthorized, "", "VISA", "4242"};
  }));
  EXPECT_CALL(shipping_, CreateShipment(_)).WillOnce(Invoke([&](const Order&) {
    EXPECT_EQ(SavedState(kStepShipment), StepState::kPending);
    EXPECT_EQ(SavedState(kStepAuthorize), StepState::kSucceeded);
    return ShipmentResult{"ship-1", "Parcelline", "PL1", ShipmentStatus::kLabelCreated};
  }));
  checkout_.PlaceOrder(Command());
}

// One write per call to another service, and the last one: the order with the reservation's
// intent, then before authorizing, shipping and committing the stock, then the confirmation.
// Each write carries what came back from the call before it.
TEST_F(CheckoutTest, AHappySagaWritesTheOrderOncePerCallItMakesAndOnceAtTheEnd) {
  Order order = checkout_.PlaceOrder(Command());
  ASSERT_EQ(order.status, OrderStatus::kConfirmed);
  std::vector<OrderStatus> statuses;
  for (const Order& written : orders_.history) statuses.push_back(written.status);
  EXPECT_EQ(statuses, (std::vector<OrderStatus>{OrderStatus::kPending, OrderStatus::kReserved,
                                                OrderStatus::kPaymentAuthorized, OrderStatus::kPaymentAuthorized,
                                                OrderStatus::kConfirmed}));
  ASSERT_EQ(orders_.history.size(), 5u);
  EXPECT_EQ(orders_.history[0].Step(kStepReserve)->state, StepState::kPending);
  EXPECT_EQ(orders_.history[1].Step(kStepReserve)->state, StepState::kSucceeded);
  EXPECT_EQ(orders_.history[1].Step(kStepAuthorize)->state, StepState::kPending);
  EXPECT_EQ(orders_.history[3].Step(kStepShipment)->state, StepState::kSucceeded);
  EXPECT_EQ(orders_.history[3].Step(kStepCommitStock)->state, StepState::kPending);
  // Every status the order went through is on its timeline, though it was written in fewer saves.
  std::vector<OrderStatus> timeline;
  for (const auto& entry : orders_.history.back().timeline) timeline.push_back(entry.status);
  EXPECT_EQ(timeline, (std::vector<OrderStatus>{OrderStatus::kPending, OrderStatus::kReserved,
                                                OrderStatus::kPaymentAuthorized, OrderStatus::kConfirmed}));
}

TEST_F(CheckoutTest, DeclinedCardReleasesTheStockAndChargesNothing) {
  EXPECT_CALL(payments_, Authorize(_, _, _))
      .WillOnce(Return(PaymentResult{"pay-2", PaymentStatus::kDeclined, "card_declined", "VISA", "0002"}));
  EXPECT_CALL(inventory_, Release("res-1", false));
  EXPECT_CALL(payments_, Void(_, _)).Times(0);
  EXPECT_CALL(shipping_, CreateShipment(_)).Times(0);
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kPaymentDeclined);
  EXPECT_NE(order.failure_reason.find("card_declined"), std::string::npos);
  EXPECT_EQ(order.Step(kStepReserve)->state, StepState::kCompensated);
  EXPECT_EQ(order.Step(kStepAuthorize)->state, StepState::kFailed);
}

TEST_F(CheckoutTest, ShortStockFailsBeforeAnyCharge) {
  EXPECT_CALL(inventory_, Reserve(_, _, _)).WillOnce(Return(ReserveResult{"", {{kLamp, 2, 1}}}));
  EXPECT_CALL(payments_, Authorize(_, _, _)).Times(0);
  EXPECT_CALL(inventory_, Release(_, _)).Times(0);
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kOutOfStock);
  EXPECT_NE(order.failure_reason.find("Lamp: 1 left, 2 wanted"), std::string::npos);
}

TEST_F(CheckoutTest, ShipmentFailureVoidsThePaymentAndReleasesTheStock) {
  EXPECT_CALL(shipping_, CreateShipment(_)).WillOnce(Throw(InvalidArgument("address", "undeliverable")));
  EXPECT_CALL(payments_, Void("checkout:00000000-0000-4000-8000-000000000001:void", "pay-1"));
  EXPECT_CALL(inventory_, Release("res-1", false));
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kShippingFailed);
  EXPECT_EQ(order.Step(kStepAuthorize)->state, StepState::kCompensated);
  EXPECT_EQ(order.payment_status, PaymentStatus::kVoided);
}

TEST_F(CheckoutTest, ProcessorOutageFailsTheOrderAndReleasesTheStock) {
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Throw(Unavailable("payment processor unavailable")));
  EXPECT_CALL(inventory_, Release("res-1", false));
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.failure, Failure::kDependencyUnavailable);
  EXPECT_EQ(order.status, OrderStatus::kFailed);
}

// A deadline is "maybe", not "no": the authorization may still complete after checkout gave up.
// Checkout says so, voids nothing it does not know of, and announces the failure: payments voids
// any authorization of a failed order and refuses one that arrives after (payments' tests).
TEST_F(CheckoutTest, AnAuthorizationThatTimesOutIsUnknownAndTheFailureIsAnnouncedForPaymentsToVoid) {
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Throw(Unavailable("payments is unavailable (Deadline Exceeded)")));
  EXPECT_CALL(payments_, Void(_, _)).Times(0);
  EXPECT_CALL(inventory_, Release("res-1", false));
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kDependencyUnavailable);
  EXPECT_EQ(order.failure_reason.find("nothing was charged"), std::string::npos)
      << "a timed-out authorization may have gone through: " << order.failure_reason;
  EXPECT_NE(order.Step(kStepAuthorize)->detail.find("outcome unknown"), std::string::npos);
  EXPECT_EQ(orders_.published.back(), (std::pair<std::string, OrderEvent>{order.id, OrderEvent::kFailed}));
}

// The hold becomes a sale before the order is confirmed, so a hold that ran out first fails the
// order (payment voided, shipment cancelled) instead of confirming it on stock sold to others.
TEST_F(CheckoutTest, TheStockIsCommittedBeforeTheOrderIsConfirmed) {
  EXPECT_CALL(inventory_, Commit("res-1")).WillOnce(Invoke([&](const std::string&) {
    EXPECT_EQ(SavedState(kStepCommitStock), StepState::kPending);
    EXPECT_EQ(SavedState(kStepShipment), StepState::kSucceeded);
    EXPECT_EQ(orders_.orders.begin()->second.status, OrderStatus::kPaymentAuthorized) << "not confirmed yet";
  }));
  EXPECT_EQ(checkout_.PlaceOrder(Command()).status, OrderStatus::kConfirmed);
}

TEST_F(CheckoutTest, AHoldThatRanOutBeforeTheCommitFailsTheOrderAndUndoesEverything) {
  EXPECT_CALL(inventory_, Commit("res-1"))
      .WillOnce(Throw(FailedPrecondition("reservation res-1 was released when its hold expired")));
  EXPECT_CALL(shipping_, CancelShipment("ship-1", _));
  EXPECT_CALL(payments_, Void("checkout:00000000-0000-4000-8000-000000000001:void", "pay-1"));
  EXPECT_CALL(inventory_, Release("res-1", false));
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kOutOfStock);
  EXPECT_EQ(order.Step(kStepCommitStock)->state, StepState::kFailed);
  EXPECT_EQ(order.Step(kStepConfirm), nullptr);
  for (const auto& [id, event] : orders_.published) EXPECT_NE(event, OrderEvent::kConfirmed);
}

TEST_F(CheckoutTest, ACommitWhoseOutcomeIsUnknownIsAskedAgainByRecovery) {
  EXPECT_CALL(inventory_, Commit("res-1"))
      .WillOnce(Throw(Unavailable("inventory is unavailable (Deadline Exceeded)")))
      .WillOnce(Return());
  EXPECT_CALL(payments_, Void(_, _)).Times(0);
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kPaymentAuthorized) << "maybe committed: neither confirmed nor failed";
  EXPECT_TRUE(orders_.leased[order.id]) << "left leased until it runs out";
  orders_.leased[order.id] = false;
  EXPECT_CALL(shipping_, CreateShipment(_)).Times(0);  // done already
  EXPECT_TRUE(checkout_.RecoverOne());
  EXPECT_EQ(orders_.orders[order.id].status, OrderStatus::kConfirmed);
}

// A runner that stalls past its lease (a long GC pause, a frozen process) must not write after
// recovery took the order over: here recovery fails the order while the first runner is inside
// Authorize; the first runner's authorization then comes back and its save is fenced off.
TEST_F(CheckoutTest, ARunnerThatLostItsLeaseCannotConfirmAnOrderRecoveryFailed) {
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Invoke([&](auto&, const Order& order, auto&) {
    orders_.leased[order.id] = false;  // the stalled runner's lease ran out
    EXPECT_CALL(payments_, FindAuthorized(order.id)).WillOnce(Return(std::nullopt));
    EXPECT_TRUE(checkout_.RecoverOne());
    EXPECT_EQ(orders_.orders[order.id].status, OrderStatus::kFailed);
    return PaymentResult{"pay-1", PaymentStatus::kAuthorized, "", "VISA", "4242"};
  }));
  EXPECT_CALL(shipping_, CreateShipment(_)).Times(0);
  EXPECT_CALL(inventory_, Commit(_)).Times(0);
  checkout_.PlaceOrder(Command());
  const Order& stored = orders_.orders.begin()->second;
  EXPECT_EQ(stored.status, OrderStatus::kFailed);
  EXPECT_EQ(stored.failure, Failure::kInterrupted);
  for (const auto& [id, event] : orders_.published) EXPECT_NE(event, OrderEvent::kConfirmed);
}

TEST_F(CheckoutTest, AReservationReleasedBeforeARetryFailsTheOrderWithoutCharging) {
  EXPECT_CALL(inventory_, Reserve(_, _, _))
      .WillOnce(Throw(FailedPrecondition("reservation r was released when its hold expired")));
  EXPECT_CALL(payments_, Authorize(_, _, _)).Times(0);
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kOutOfStock);
}

// A refusal no retry changes (here a contract broken by a dependency) fails the order at once:
// before, it escaped the saga and left the order leased for recovery to hit the same error.
TEST_F(CheckoutTest, ARefusalNoRetryChangesFailsTheOrderInsteadOfLeavingItLeased) {
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Throw(InvalidArgument("amount", "must be positive")));
  EXPECT_CALL(inventory_, Release("res-1", false));
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_EQ(order.failure, Failure::kInterrupted);
  EXPECT_FALSE(orders_.leased[order.id]);
}

TEST_F(CheckoutTest, SameKeyReplaysAndADifferentRequestIsRefused) {
  Order first = checkout_.PlaceOrder(Command());
  EXPECT_CALL(inventory_, Reserve(_, _, _)).Times(0);
  EXPECT_CALL(payments_, Authorize(_, _, _)).Times(0);
  Order again = checkout_.PlaceOrder(Command());
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.status, OrderStatus::kConfirmed);

  PlaceOrderCommand changed = Command();
  changed.shipping_option_id = "express";
  EXPECT_THROW(checkout_.PlaceOrder(changed), AlreadyExists);
}

TEST_F(CheckoutTest, SameKeyWhileTheFirstStillRunsIsAborted) {
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Invoke([&](auto&, auto&, auto&) {
    EXPECT_THROW(checkout_.PlaceOrder(Command()), Aborted);  // a duplicate arrives mid-saga
    return PaymentResult{"pay-1", PaymentStatus::kAuthorized, "", "VISA", "4242"};
  }));
  EXPECT_EQ(checkout_.PlaceOrder(Command()).status, OrderStatus::kConfirmed);
}

TEST_F(CheckoutTest, RecoveryFinishesASagaWhoseAuthorizationWentThrough) {
  // The first process died during Authorize: its last record says the step was PENDING.
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Throw(std::runtime_error("process killed")));
  EXPECT_THROW(checkout_.PlaceOrder(Command()), std::runtime_error);
  const std::string id = orders_.orders.begin()->first;
  ASSERT_EQ(orders_.orders[id].Step(kStepAuthorize)->state, StepState::kPending);
  orders_.leased[id] = false;  // the dead process's lease ran out

  EXPECT_CALL(payments_, FindAuthorized(id))
      .WillOnce(Return(PaymentResult{"pay-1", PaymentStatus::kAuthorized, "", "VISA", "4242"}));
  EXPECT_TRUE(checkout_.RecoverOne());
  EXPECT_EQ(orders_.orders[id].status, OrderStatus::kConfirmed);
  EXPECT_EQ(orders_.orders[id].payment_id, "pay-1");
  EXPECT_FALSE(checkout_.RecoverOne()) << "nothing left to recover";
}

TEST_F(CheckoutTest, RecoveryCompensatesWhenThePaymentNeverHappened) {
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Throw(std::runtime_error("process killed")));
  EXPECT_THROW(checkout_.PlaceOrder(Command()), std::runtime_error);
  const std::string id = orders_.orders.begin()->first;
  orders_.leased[id] = false;

  EXPECT_CALL(payments_, FindAuthorized(id)).WillOnce(Return(std::nullopt));
  EXPECT_CALL(inventory_, Release("res-1", false));
  EXPECT_TRUE(checkout_.RecoverOne());
  EXPECT_EQ(orders_.orders[id].status, OrderStatus::kFailed);
  EXPECT_EQ(orders_.orders[id].failure, Failure::kInterrupted);
}

TEST_F(CheckoutTest, ACompensationThatCannotRunYetIsRetriedByRecovery) {
  EXPECT_CALL(payments_, Authorize(_, _, _))
      .WillOnce(Return(PaymentResult{"pay-2", PaymentStatus::kDeclined, "insufficient_funds", "VISA", "9995"}));
  EXPECT_CALL(inventory_, Release("res-1", false))
      .WillOnce(Throw(Unavailable("inventory is unavailable")))
      .WillOnce(Return());
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_FALSE(IsTerminal(order.status)) << "still compensating";
  orders_.leased[order.id] = false;
  EXPECT_TRUE(checkout_.RecoverOne());
  EXPECT_EQ(orders_.orders[order.id].status, OrderStatus::kFailed);
  EXPECT_EQ(orders_.orders[order.id].Step(kStepReserve)->state, StepState::kCompensated);
}

TEST_F(CheckoutTest, RefusesWhatCannotBeOrdered) {
  // Fall-backs to the defaults; the newer expectations below take precedence once each.
  EXPECT_CALL(cart_, GetCart(_)).Times(::testing::AnyNumber());
  EXPECT_CALL(catalog_, BatchGet(_)).Times(::testing::AnyNumber());
  EXPECT_CALL(cart_, GetCart(_)).WillOnce(Return(CartContents{})).RetiresOnSaturation();
  EXPECT_THROW(checkout_.PlaceOrder(Command("k-empty")), FailedPrecondition);

  EXPECT_CALL(catalog_, BatchGet(_))
      .WillOnce(Return(std::vector<PricedProduct>{{kLamp, "HOM-LP-1", "Lamp", {2500, "USD"}, false},
                                                  {kMug, "HOM-MG-1", "Mug", {900, "USD"}, true}}))
      .RetiresOnSaturation();
  EXPECT_THROW(checkout_.PlaceOrder(Command("k-inactive")), FailedPrecondition);

  PlaceOrderCommand overnight = Command("k-option");
  overnight.shipping_option_id = "teleport";
  EXPECT_THROW(checkout_.PlaceOrder(overnight), InvalidArgument);

  PlaceOrderCommand stale = Command("k-total");
  stale.expected_total = Money{100, "USD"};
  EXPECT_THROW(checkout_.PlaceOrder(stale), FailedPrecondition);
  EXPECT_TRUE(orders_.orders.empty()) << "no order is created for a refused request";
}

TEST_F(CheckoutTest, ValidationNamesEachBadField) {
  PlaceOrderCommand bad = Command();
  bad.shipping_address.country = "Britain";
  bad.card.number = "4242";
  bad.card.cvc = "12a";
  bad.customer_email = "not-an-email";
  try {
    checkout_.PlaceOrder(bad);
    FAIL();
  } catch (const InvalidArgument& e) {
    std::string fields;
    for (const auto& v : e.violations()) fields += v.field + " ";
    EXPECT_EQ(fields, "customer_email shipping_address.country payment.card_number payment.cvc ");
    EXPECT_EQ(std::string(e.what()).find("4242"), std::string::npos) << "no card digits in errors";
  }
}

// Checkout and shipping apply one address rule (shared/types/address.h). Checkout used to take
// any two capitals as a country and always want a postal code, so "ZZ" reached shipping after the
// card was authorised (and failed there), while an address in Hong Kong was refused outright.
TEST_F(CheckoutTest, AnAddressShippingWouldRefuseIsRefusedBeforeAnyStepAndOneItTakesIsAccepted) {
  PlaceOrderCommand unknown_country = Command("k-zz");
  unknown_country.shipping_address.country = "ZZ";
  EXPECT_CALL(inventory_, Reserve(_, _, _)).Times(0);
  EXPECT_CALL(payments_, Authorize(_, _, _)).Times(0);
  try {
    checkout_.PlaceOrder(unknown_country);
    FAIL() << "ZZ is no country";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.fields(), (std::vector<std::string>{"shipping_address.country"}));
  }
  EXPECT_TRUE(orders_.orders.empty());
  ::testing::Mock::VerifyAndClearExpectations(&inventory_);
  ::testing::Mock::VerifyAndClearExpectations(&payments_);

  PlaceOrderCommand hong_kong = Command("k-hk");
  hong_kong.shipping_address = {"Chan Tai Man", "1 Queen's Road Central", "", "Central", "", "", "HK"};
  EXPECT_EQ(checkout_.PlaceOrder(hong_kong).status, OrderStatus::kConfirmed);
}

TEST_F(CheckoutTest, TheCardNumberIsNeverKept) {
  Order order = checkout_.PlaceOrder(Command());
  for (const auto& saved : orders_.history) {
    EXPECT_EQ(saved.request_fingerprint.find("4242424242424242"), std::string::npos);
    for (const auto& step : saved.steps) EXPECT_EQ(step.detail.find("42424242"), std::string::npos);
  }
  EXPECT_EQ(order.card_last4, "4242");
}

TEST_F(CheckoutTest, CancelUndoesAConfirmedOrder) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_CALL(shipping_, CancelShipment("ship-1", "changed my mind"));
  EXPECT_CALL(payments_, Void(_, "pay-1"));
  EXPECT_CALL(inventory_, Release("res-1", true));
  Order cancelled = checkout_.CancelOrder(order.id, "customer-1", "changed my mind");
  EXPECT_EQ(cancelled.status, OrderStatus::kCancelled);
  EXPECT_THROW(checkout_.CancelOrder(order.id, "someone-else", ""), NotFound);
}

// The cancel is a saga of its own: recorded as CANCELLING before any call, each step saved before
// its call starts, one OrderCancelled at the end.
TEST_F(CheckoutTest, ACancelIsRecordedBeforeEachOfItsCalls) {
  Order order = checkout_.PlaceOrder(Command());
  auto stored = [&] { return orders_.orders[order.id]; };
  EXPECT_CALL(shipping_, CancelShipment("ship-1", _)).WillOnce(Invoke([&](auto&, auto&) {
    EXPECT_EQ(stored().status, OrderStatus::kCancelling);
    EXPECT_EQ(stored().Step(kStepCancelShipment)->state, StepState::kPending);
  }));
  EXPECT_CALL(payments_, Void(_, "pay-1")).WillOnce(Invoke([&](auto&, auto&) {
    EXPECT_EQ(stored().Step(kStepCancelShipment)->state, StepState::kSucceeded);
    EXPECT_EQ(stored().Step(kStepReleasePayment)->state, StepState::kPending);
    return PaymentResult{"pay-1", PaymentStatus::kVoided, "", "VISA", "4242"};
  }));
  EXPECT_CALL(inventory_, Release("res-1", true)).WillOnce(Invoke([&](auto&, bool) {
    EXPECT_EQ(stored().Step(kStepReleaseStock)->state, StepState::kPending);
  }));
  Order cancelled = checkout_.CancelOrder(order.id, "customer-1", "changed my mind");
  EXPECT_EQ(cancelled.status, OrderStatus::kCancelled);
  EXPECT_EQ(cancelled.cancel_reason, "changed my mind");
  EXPECT_FALSE(orders_.leased[order.id]);
  int announced = 0;
  for (const auto& [id, event] : orders_.published) announced += event == OrderEvent::kCancelled;
  EXPECT_EQ(announced, 1);
}

// A crash or an outage half-way leaves the cancel recorded, and recovery finishes it without
// repeating the steps that were done.
TEST_F(CheckoutTest, ACancelCutShortByAnOutageIsFinishedByRecovery) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_CALL(payments_, Void(_, "pay-1")).Times(1);
  EXPECT_CALL(shipping_, CancelShipment("ship-1", _)).Times(1);
  EXPECT_CALL(inventory_, Release("res-1", true))
      .WillOnce(Throw(Unavailable("inventory is unavailable")))
      .WillOnce(Return());
  Order cancelling = checkout_.CancelOrder(order.id, "customer-1", "");
  EXPECT_EQ(cancelling.status, OrderStatus::kCancelling) << "not done, not forgotten";
  orders_.leased[order.id] = false;  // this runner's lease ran out
  EXPECT_TRUE(checkout_.RecoverOne());
  EXPECT_EQ(orders_.orders[order.id].status, OrderStatus::kCancelled);
}

// Two cancels at once (a double click, a retry after a timeout): one cancel, one OrderCancelled.
TEST_F(CheckoutTest, ASecondCancelWhileTheFirstRunsChangesNothing) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_CALL(shipping_, CancelShipment("ship-1", _)).WillOnce(Invoke([&](auto&, auto&) {
    Order second = checkout_.CancelOrder(order.id, "customer-1", "again");
    EXPECT_EQ(second.status, OrderStatus::kCancelling);
  }));
  EXPECT_CALL(payments_, Void(_, _)).Times(1);
  EXPECT_CALL(inventory_, Release(_, _)).Times(1);
  EXPECT_EQ(checkout_.CancelOrder(order.id, "customer-1", "first").status, OrderStatus::kCancelled);
  int announced = 0;
  for (const auto& [id, event] : orders_.published) announced += event == OrderEvent::kCancelled;
  EXPECT_EQ(announced, 1);
}

TEST_F(CheckoutTest, AParcelThatHasLeftTurnsTheCancelDown) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_CALL(shipping_, CancelShipment("ship-1", _)).WillOnce(Throw(FailedPrecondition("shipment is DISPATCHED")));
  EXPECT_CALL(payments_, Void(_, _)).Times(0);
  EXPECT_CALL(inventory_, Release(_, _)).Times(0);
  Order kept = checkout_.CancelOrder(order.id, "customer-1", "too late");
  EXPECT_EQ(kept.status, OrderStatus::kConfirmed);
  EXPECT_EQ(kept.timeline.back().note, "Cancellation refused: the parcel has left");
  for (const auto& [id, event] : orders_.published) EXPECT_NE(event, OrderEvent::kCancelled);
  EXPECT_EQ(std::count_if(orders_.published.begin(), orders_.published.end(),
                          [](const auto& p) { return p.second == OrderEvent::kConfirmed; }),
            1)
      << "going back to CONFIRMED announces nothing again";
}

TEST_F(CheckoutTest, ACancelRefundsAPaymentThatWasCapturedMeanwhile) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_CALL(payments_, Void(_, "pay-1")).WillOnce(Throw(FailedPrecondition("payment is CAPTURED")));
  EXPECT_CALL(payments_, Refund(_, "pay-1", std::optional<Money>(), "changed my mind"))
      .WillOnce(Return(PaymentResult{"pay-1", PaymentStatus::kRefunded, "", "VISA", "4242"}));
  Order cancelled = checkout_.CancelOrder(order.id, "customer-1", "changed my mind");
  EXPECT_EQ(cancelled.status, OrderStatus::kCancelled);
  EXPECT_EQ(cancelled.payment_status, PaymentStatus::kRefunded);
}

TEST_F(CheckoutTest, AnotherCustomersOrderIsNotFound) {
  Order order = checkout_.PlaceOrder(Command());
  EXPECT_EQ(checkout_.GetOrder(order.id, "customer-1").id, order.id);
  EXPECT_EQ(checkout_.GetOrder(order.id, "").id, order.id) << "operators see every order";
  EXPECT_THROW(checkout_.GetOrder(order.id, "customer-2"), NotFound);
}

// --- RefundOrder -----------------------------------------------------------------------------

class RefundTest : public CheckoutTest {
 protected:
  // A confirmed order whose payment was captured on dispatch (the read model says so).
  Order Captured() {
    Order order = checkout_.PlaceOrder(Command());
    orders_.orders[order.id].status = OrderStatus::kShipped;
    orders_.orders[order.id].payment_status = PaymentStatus::kCaptured;
    return orders_.orders[order.id];
  }
  RefundCommand Refund(const std::string& order_id, std::optional<Money> amount = std::nullopt) {
    return {"refund-key-1", order_id, amount, "damaged in transit"};
  }
};

TEST_F(RefundTest, AFullRefundMovesTheOrderToRefundedWithATimelineEntryAndPublishesNothing) {
  Order order = Captured();
  const auto published_before = orders_.published.size();
  std::string key;
  EXPECT_CALL(payments_, Refund(_, "pay-1", std::optional<Money>(), "damaged in transit"))
      .WillOnce(Invoke([&](const std::string& k, auto&, auto&, auto&) {
        key = k;
        return PaymentResult{"pay-1", PaymentStatus::kRefunded, "", "VISA", "4242"};
      }));
  Order refunded = checkout_.RefundOrder(Refund(order.id));
  EXPECT_EQ(refunded.status, OrderStatus::kRefunded);
  EXPECT_EQ(refunded.payment_status, PaymentStatus::kRefunded);
  EXPECT_EQ(refunded.timeline.back().status, OrderStatus::kRefunded);
  EXPECT_EQ(refunded.timeline.back().note, "Refunded: damaged in transit");
  EXPECT_EQ(orders_.orders[order.id].status, OrderStatus::kRefunded) << "saved";
  EXPECT_FALSE(orders_.leased[order.id]);
  EXPECT_EQ(orders_.published.size(), published_before) << "payments announces the refund, not checkout";
  EXPECT_LE(key.size(), 100u) << "payments takes keys of at most 100 characters";
  EXPECT_EQ(key.find("refund-key-1"), std::string::npos) << "derived, not the operator's key itself";
}

TEST_F(RefundTest, APartialRefundLeavesTheStatusAlone) {
  Order order = Captured();
  EXPECT_CALL(payments_, Refund(_, "pay-1", std::optional<Money>(Money{1000, "USD"}), _))
      .WillOnce(Return(PaymentResult{"pay-1", PaymentStatus::kPartiallyRefunded, "", "VISA", "4242"}));
  Order refunded = checkout_.RefundOrder(Refund(order.id, Money{1000, "USD"}));
  EXPECT_EQ(refunded.status, OrderStatus::kShipped);
  EXPECT_EQ(refunded.payment_status, PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(orders_.orders[order.id].payment_status, PaymentStatus::kPartiallyRefunded);
  EXPECT_EQ(refunded.timeline.size(), order.timeline.size());
}

TEST_F(RefundTest, TheSameOperatorKeyAlwaysReachesPaymentsAsTheSameKey) {
  Order order = Captured();
  std::vector<std::string> keys;
  EXPECT_CALL(payments_, Refund(_, _, _, _)).Times(2).WillRepeatedly(Invoke([&](const std::string& k, auto&, auto&, auto&) {
    keys.push_back(k);
    return PaymentResult{"pay-1", PaymentStatus::kRefunded, "", "VISA", "4242"};
  }));
  checkout_.RefundOrder(Refund(order.id));
  // A retry after a timeout: the order already says REFUNDED, and payments replays its answer.
  Order again = checkout_.RefundOrder(Refund(order.id));
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], keys[1]);
  EXPECT_EQ(again.status, OrderStatus::kRefunded);
  int refunded_entries = 0;
  for (const auto& entry : again.timeline) refunded_entries += entry.status == OrderStatus::kRefunded;
  EXPECT_EQ(refunded_entries, 1) << "one timeline entry, however often it is retried";
}

TEST_F(RefundTest, NothingCapturedIsAFailedPrecondition) {
  Order confirmed = checkout_.PlaceOrder(Command());  // authorized, not captured until it ships
  EXPECT_CALL(payments_, Refund(_, _, _, _)).Times(0);
  EXPECT_THROW(checkout_.RefundOrder(Refund(confirmed.id)), FailedPrecondition);
  orders_.orders[confirmed.id].payment_status = PaymentStatus::kVoided;
  EXPECT_THROW(checkout_.RefundOrder(Refund(confirmed.id)), FailedPrecondition);
  EXPECT_THROW(checkout_.RefundOrder(Refund("00000000-0000-4000-8000-00000000ffff")), NotFound);
}

TEST_F(RefundTest, ValidationNamesEachBadField) {
  Order order = Captured();
  EXPECT_CALL(payments_, Refund(_, _, _, _)).Times(0);
  try {
    checkout_.RefundOrder({"", "not-a-uuid", Money{0, "usd"}, std::string(501, 'x')});
    FAIL();
  } catch (const InvalidArgument& e) {
    std::string fields;
    for (const auto& v : e.violations()) fields += v.field + " ";
    EXPECT_EQ(fields, "idempotency_key order_id amount.amount_minor amount.currency reason ");
  }
  try {
    checkout_.RefundOrder(Refund(order.id, Money{100, "EUR"}));
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.violations().at(0).field, "amount.currency");
  }
}

// --- Sales and listing filters ------------------------------------------------------------------

TEST_F(CheckoutTest, SalesAsksTheStoreForUsdBucketsOverTheRange) {
  const Timestamp from(std::chrono::seconds(1'800'000'000));
  const Timestamp to = from + std::chrono::hours(48);
  orders_.sales = {{from, 2, {1500, "USD"}}};
  SalesReport report = checkout_.Sales(Granularity::kDay, from, to);
  EXPECT_EQ(report.currency, "USD");
  EXPECT_EQ(report.granularity, Granularity::kDay);
  EXPECT_EQ(report.buckets, orders_.sales);
  ASSERT_TRUE(orders_.last_sales);
  EXPECT_EQ(orders_.last_sales->currency, "USD");
  EXPECT_EQ(orders_.last_sales->from, from);
  EXPECT_EQ(orders_.last_sales->to, to);
}

TEST_F(CheckoutTest, SalesRefusesAnEmptyOrHugeRangeAndAMissingGranularity) {
  const Timestamp from(std::chrono::seconds(1'800'000'000));
  EXPECT_THROW(checkout_.Sales(Granularity::kHour, from, from), InvalidArgument);
  EXPECT_THROW(checkout_.Sales(Granularity::kHour, from, from - std::chrono::hours(1)), InvalidArgument);
  EXPECT_THROW(checkout_.Sales(std::nullopt, from, from + std::chrono::hours(1)), InvalidArgument);
  EXPECT_THROW(checkout_.Sales(Granularity::kHour, from, from + std::chrono::hours(1000)), InvalidArgument);
  EXPECT_NO_THROW(checkout_.Sales(Granularity::kHour, from, from + std::chrono::hours(999)));
  EXPECT_NO_THROW(checkout_.Sales(Granularity::kDay, from, from + std::chrono::hours(24 * 999)));
  EXPECT_THROW(checkout_.Sales(Granularity::kDay, from, from + std::chrono::hours(24 * 1000)), InvalidArgument);
}

TEST_F(CheckoutTest, ListOrdersPassesTheCreatedRangeAndRefusesAnInvertedOne) {
  const Timestamp after(std::chrono::seconds(1'800'000'000));
  OrderListRequest request;
  request.filter.created_after = after;
  request.filter.created_before = after + std::chrono::hours(1);
  checkout_.ListOrders(request);
  ASSERT_TRUE(orders_.last_filter);
  EXPECT_EQ(orders_.last_filter->created_after, after);
  EXPECT_EQ(orders_.last_filter->created_before, after + std::chrono::hours(1));

  request.filter.created_before = after;
  EXPECT_THROW(checkout_.ListOrders(request), InvalidArgument);
}

}  // namespace
}  // namespace storefront::checkout::domain

namespace storefront::checkout::domain {
namespace {

// Records what the saga reports: "stage:result" per stage, the terminal statuses, and the orders
// whose trace recovery resumed.
class RecordingObserver : public SagaObserver {
 public:
  void StageRan(std::string_view stage, std::string_view result, std::chrono::nanoseconds took) override {
    stages.push_back(std::string(stage) + ":" + std::string(result));
    EXPECT_GE(took.count(), 0);
  }
  void Ended(OrderStatus status, Failure failure) override { ended.emplace_back(status, failure); }
  std::unique_ptr<Scope> Resuming(const Order& order) override {
    resumed.push_back(order.traceparent);
    return nullptr;
  }

  std::vector<std::string> stages;
  std::vector<std::pair<OrderStatus, Failure>> ended;
  std::vector<std::string> resumed;
};

class ObservedCheckoutTest : public CheckoutTest {
 protected:
  RecordingObserver observer_;
  Checkout observed_{orders_,        cart_, catalog_, shipping_, inventory_, payments_, SagaSettings{},
                     [] { return Timestamp(std::chrono::seconds(1800000000)); }, &observer_};
};

TEST_F(ObservedCheckoutTest, TheObserverSeesEachStageAndHowTheSagaEnded) {
  observed_.PlaceOrder(Command());
  EXPECT_EQ(observer_.stages, (std::vector<std::string>{"reserve_inventory:advanced", "authorize_payment:advanced",
                                                        "ship_and_confirm:advanced"}));
  EXPECT_EQ(observer_.ended, (std::vector<std::pair<OrderStatus, Failure>>{{OrderStatus::kConfirmed, Failure::kNone}}));
}

TEST_F(ObservedCheckoutTest, ADeclinedCardIsAFailedStageACompensationAndAFailedEnd) {
  EXPECT_CALL(payments_, Authorize(_, _, _))
      .WillOnce(Return(PaymentResult{"pay-2", PaymentStatus::kDeclined, "card_declined", "VISA", "0002"}));
  observed_.PlaceOrder(Command());
  EXPECT_EQ(observer_.stages,
            (std::vector<std::string>{"reserve_inventory:advanced", "authorize_payment:failed", "compensate:advanced"}));
  EXPECT_EQ(observer_.ended,
            (std::vector<std::pair<OrderStatus, Failure>>{{OrderStatus::kFailed, Failure::kPaymentDeclined}}));
}

TEST_F(ObservedCheckoutTest, ACompensationWaitingForADependencyIsAWaitingStage) {
  EXPECT_CALL(payments_, Authorize(_, _, _))
      .WillOnce(Return(PaymentResult{"pay-2", PaymentStatus::kDeclined, "insufficient_funds", "VISA", "9995"}));
  EXPECT_CALL(inventory_, Release("res-1", false)).WillOnce(Throw(Unavailable("inventory is unavailable")));
  observed_.PlaceOrder(Command());
  EXPECT_EQ(observer_.stages.back(), "compensate:waiting");
  EXPECT_TRUE(observer_.ended.empty());
}

TEST_F(ObservedCheckoutTest, TheOrderKeepsItsRequestsTraceAndRecoveryResumesInIt) {
  auto command = Command();
  command.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  EXPECT_CALL(payments_, Authorize(_, _, _)).WillOnce(Throw(std::runtime_error("process killed")));
  EXPECT_THROW(observed_.PlaceOrder(command), std::runtime_error);
  const std::string id = orders_.orders.begin()->first;
  EXPECT_EQ(orders_.orders[id].traceparent, command.traceparent);
  orders_.leased[id] = false;
  EXPECT_CALL(payments_, FindAuthorized(id))
      .WillOnce(Return(PaymentResult{"pay-1", PaymentStatus::kAuthorized, "", "VISA", "4242"}));
  EXPECT_TRUE(observed_.RecoverOne());
  EXPECT_EQ(observer_.resumed, std::vector<std::string>{command.traceparent});
}

}  // namespace
}  // namespace storefront::checkout::domain

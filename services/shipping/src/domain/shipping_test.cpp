// Shipping's use cases with a mocked repository, a fixed clock and scripted random digits.
#include "domain/shipping.h"

#include <gtest/gtest.h>

#include <deque>

#include "domain/mocks.h"

namespace storefront::shipping::domain {
namespace {

using ::testing::_;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::Return;

constexpr const char* kId = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
constexpr const char* kOrderId = "5f0c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f";
const Timestamp kNow = Timestamp(std::chrono::seconds(1'800'000'000)) + std::chrono::nanoseconds(123'456'789);
const Timestamp kNowMicros = Timestamp(std::chrono::seconds(1'800'000'000)) + std::chrono::microseconds(123'456);

using Outcome = ShipmentRepository::CreateOutcome;

Address Home() { return {"Ada Lovelace", "12 Analytical Way", "", "Springfield", "IL", "62701", "US"}; }
Address Berlin() { return {"Grace Hopper", "Unter den Linden 1", "", "Berlin", "", "10117", "DE"}; }

std::vector<ShipmentItem> Items() {
  return {{"79c8c292-6b94-45b5-b498-82321e35049e", "AUD-HP-0001", "Headphones", 1},
          {"eb7a7995-9588-432d-8242-aadbc8f429a4", "AUD-HP-0002", "Headphones Lite", 2}};
}

NewShipmentRequest Request(std::string option = "express", Address address = Home()) {
  return {kOrderId, "cus_42", std::move(option), std::move(address), Items()};
}

std::vector<std::string> FieldsOf(const std::function<void()>& call) {
  std::vector<std::string> fields;
  try {
    call();
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    fields = e.fields();
  }
  return fields;
}

class ShippingTest : public ::testing::Test {
 protected:
  // Each call takes the next scripted digits; "123456789012" once the script is used up.
  std::string NextDigits(int count) {
    EXPECT_EQ(count, kTrackingDigits);
    if (digits_.empty()) return "123456789012";
    auto next = digits_.front();
    digits_.pop_front();
    return next;
  }

  // A stored copy of what Create was given, as the repository would return it.
  static Shipment Stored(Shipment s) {
    s.id = kId;
    return s;
  }

  // The shipment Request() stored: what the repository returns for another request of its order.
  static Shipment StoredRequest() {
    Shipment existing = Stored({});
    existing.customer_id = "cus_42";
    existing.shipping_option_id = "express";
    existing.address = Home();
    existing.items = Items();
    return existing;
  }

  // Nice: the lock and the closure lookup every CreateShipment makes need no expectation each.
  ::testing::NiceMock<MockShipmentRepository> repo_;
  std::deque<std::string> digits_;
  Shipping shipping_{repo_, [] { return kNow; }, [this](int count) { return NextDigits(count); }};
};

TEST_F(ShippingTest, QuotesComeFromTheRateTable) {
  auto options = shipping_.GetQuotes({Home(), 1, Money{2000, "USD"}});
  EXPECT_EQ(options, Quote("US", 1, {2000, "USD"}));
  EXPECT_EQ(options.size(), 3u);
}

TEST_F(ShippingTest, QuotesValidateEveryFieldAtOnce) {
  Address bad = Home();
  bad.country = "XX";
  EXPECT_EQ(FieldsOf([&] { shipping_.GetQuotes({bad, 0, Money{-1, "JPY"}}); }),
            (std::vector<std::string>{"address.country", "item_count", "subtotal.currency", "subtotal.amount_minor"}));
  EXPECT_EQ(FieldsOf([&] { shipping_.GetQuotes({std::nullopt, 1000, std::nullopt}); }),
            (std::vector<std::string>{"address", "item_count", "subtotal"}));
}

TEST_F(ShippingTest, AnUnsupportedCurrencyIsInvalidAndNamesTheCurrencies) {
  try {
    shipping_.GetQuotes({Home(), 1, Money{1000, "JPY"}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "subtotal.currency: must be one of USD, EUR, GBP");
  }
}

TEST_F(ShippingTest, CreateRecomputesTheOptionAndIssuesALabel) {
  digits_ = {"000000004242"};
  Shipment seen;
  EXPECT_CALL(repo_, Create(_)).WillOnce(Invoke([&](const Shipment& s) {
    seen = s;
    return ShipmentRepository::CreateResult{Outcome::kCreated, Stored(s)};
  }));
  auto shipment = shipping_.CreateShipment(Request("express"));
  EXPECT_EQ(shipment.id, kId);
  EXPECT_EQ(seen.carrier, "UPS");
  EXPECT_EQ(seen.service, "2nd Day Air");
  EXPECT_EQ(seen.shipping_option_id, "express");
  EXPECT_EQ(seen.tracking_number, "UPS000000004242");
  EXPECT_EQ(seen.status, ShipmentStatus::kLabelCreated);
  EXPECT_EQ(seen.address, Home());
  EXPECT_EQ(seen.items, Items());
  EXPECT_EQ(seen.customer_id, "cus_42");
  EXPECT_EQ(seen.created_at, kNowMicros) << "the clock, truncated to what PostgreSQL stores";
  EXPECT_EQ(seen.updated_at, kNowMicros);
  EXPECT_FALSE(seen.dispatched_at || seen.delivered_at || seen.cancelled_at);
}

TEST_F(ShippingTest, TheSameIdMeansADifferentCarrierAbroad) {
  Shipment seen;
  EXPECT_CALL(repo_, Create(_)).WillOnce(Invoke([&](const Shipment& s) {
    seen = s;
    return ShipmentRepository::CreateResult{Outcome::kCreated, Stored(s)};
  }));
  shipping_.CreateShipment(Request("express", Berlin()));
  EXPECT_EQ(seen.carrier, "DHL");
  EXPECT_EQ(seen.tracking_number.rfind("DHL", 0), 0u);
}

TEST_F(ShippingTest, AnOptionNotOfferedForTheAddressIsInvalid) {
  EXPECT_CALL(repo_, Create(_)).Times(0);
  EXPECT_EQ(FieldsOf([&] { shipping_.CreateShipment(Request("overnight", Berlin())); }),
            (std::vector<std::string>{"shipping_option_id"}));
  EXPECT_EQ(FieldsOf([&] { shipping_.CreateShipment(Request("teleport")); }),
            (std::vector<std::string>{"shipping_option_id"}));
  EXPECT_EQ(FieldsOf([&] { shipping_.CreateShipment(Request("")); }),
            (std::vector<std::string>{"shipping_option_id"}));
  Address antarctica = Berlin();
  antarctica.country = "AQ";
  EXPECT_EQ(FieldsOf([&] { shipping_.CreateShipment(Request("standard", antarctica)); }),
            (std::vector<std::string>{"shipping_option_id"}));
}

TEST_F(ShippingTest, CreateValidatesEveryField) {
  EXPECT_CALL(repo_, Create(_)).Times(0);
  NewShipmentRequest bad{"not-a-uuid", "", "standard", std::nullopt, {}};
  EXPECT_EQ(FieldsOf([&] { shipping_.CreateShipment(bad); }),
            (std::vector<std::string>{"order_id", "customer_id", "address", "items"}));
}

TEST_F(ShippingTest, ARepeatReturnsTheExistingShipment) {
  Shipment existing;
  EXPECT_CALL(repo_, Create(_))
      .WillOnce(Invoke([&](const Shipment& s) {
        existing = Stored(s);
        return ShipmentRepository::CreateResult{Outcome::kCreated, existing};
      }))
      .WillOnce(Invoke([&](const Shipment&) {
        return ShipmentRepository::CreateResult{Outcome::kOrderHasShipment, existing};
      }));
  digits_ = {"111111111111", "222222222222"};
  auto first = shipping_.CreateShipment(Request());
  auto again = shipping_.CreateShipment(Request());
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.tracking_number, "UPS111111111111") << "the first label, not a new one";
}

TEST_F(ShippingTest, ARepeatListingTheLinesInAnotherOrderIsStillARepeat) {
  const Shipment existing = StoredRequest();
  EXPECT_CALL(repo_, Create(_))
      .WillOnce(Return(ShipmentRepository::CreateResult{Outcome::kOrderHasShipment, existing}));
  auto request = Request();
  std::swap(request.items[0], request.items[1]);
  EXPECT_EQ(shipping_.CreateShipment(request).id, kId);
}

TEST_F(ShippingTest, TheSameOrderWithAnotherOptionAddressOrItemsAlreadyExists) {
  const Shipment existing = StoredRequest();
  EXPECT_CALL(repo_, Create(_))
      .WillRepeatedly(Return(ShipmentRepository::CreateResult{Outcome::kOrderHasShipment, existing}));

  EXPECT_THROW(shipping_.CreateShipment(Request("standard")), AlreadyExists);
  Address moved = Home();
  moved.line2 = "Apt 9";
  EXPECT_THROW(shipping_.CreateShipment(Request("express", moved)), AlreadyExists);
  auto more = Request();
  more.items[0].quantity = 5;
  try {
    shipping_.CreateShipment(more);
    FAIL();
  } catch (const AlreadyExists& e) {
    EXPECT_NE(std::string(e.what()).find("different items"), std::string::npos) << e.what();
  }
  auto someone_else = Request();
  someone_else.customer_id = "cus_43";
  EXPECT_THROW(shipping_.CreateShipment(someone_else), AlreadyExists);
}

TEST_F(ShippingTest, ATakenTrackingNumberIsDrawnAgain) {
  digits_ = {"555555555555", "666666666666"};
  EXPECT_CALL(repo_, Create(Field(&Shipment::tracking_number, "UPS555555555555")))
      .WillOnce(Return(ShipmentRepository::CreateResult{Outcome::kTrackingNumberTaken, std::nullopt}));
  EXPECT_CALL(repo_, Create(Field(&Shipment::tracking_number, "UPS666666666666")))
      .WillOnce(Invoke(
          [](const Shipment& s) { return ShipmentRepository::CreateResult{Outcome::kCreated, Stored(s)}; }));
  EXPECT_EQ(shipping_.CreateShipment(Request()).tracking_number, "UPS666666666666");
}

TEST_F(ShippingTest, EndlessCollisionsMeanABrokenRandomSourceNotALoop) {
  EXPECT_CALL(repo_, Create(_))
      .Times(5)
      .WillRepeatedly(Return(ShipmentRepository::CreateResult{Outcome::kTrackingNumberTaken, std::nullopt}));
  EXPECT_THROW(shipping_.CreateShipment(Request()), std::runtime_error);
}

TEST_F(ShippingTest, ReadsValidateIdsAndReportUnknownOnes) {
  EXPECT_CALL(repo_, Get(_)).Times(0);
  EXPECT_THROW(shipping_.GetShipment("junk"), InvalidArgument);
  EXPECT_THROW(shipping_.GetShipmentByOrder(""), InvalidArgument);
  ::testing::Mock::VerifyAndClearExpectations(&repo_);

  EXPECT_CALL(repo_, Get(kId)).WillOnce(Return(std::nullopt));
  EXPECT_THROW(shipping_.GetShipment(kId), NotFound);
  EXPECT_CALL(repo_, GetByOrder(kOrderId)).WillOnce(Return(std::nullopt));
  EXPECT_THROW(shipping_.GetShipmentByOrder(kOrderId), NotFound);
}

// The repository double runs the change on `current`, as the real one does under a row lock.
auto RunChangeOn(Shipment current) {
  return [current](const std::string&, const ShipmentRepository::Change& change) mutable {
    change(current);
    return std::optional<Shipment>(current);
  };
}

TEST_F(ShippingTest, AdvanceStampsTheClockAndRefusesSkips) {
  Shipment created = Stored({});
  EXPECT_CALL(repo_, Update(kId, _)).WillOnce(Invoke(RunChangeOn(created)));
  auto dispatched = shipping_.AdvanceShipment(kId, ShipmentStatus::kDispatched);
  EXPECT_EQ(dispatched.status, ShipmentStatus::kDispatched);
  EXPECT_EQ(dispatched.dispatched_at, kNowMicros);

  EXPECT_CALL(repo_, Update(kId, _)).WillOnce(Invoke(RunChangeOn(created)));
  EXPECT_THROW(shipping_.AdvanceShipment(kId, ShipmentStatus::kDelivered), FailedPrecondition);
}

TEST_F(ShippingTest, AdvanceRejectsTargetsThatAreNotSteps) {
  EXPECT_CALL(repo_, Update(_, _)).Times(0);
  EXPECT_EQ(FieldsOf([&] { shipping_.AdvanceShipment(kId, ShipmentStatus::kUnspecified); }),
            (std::vector<std::string>{"to_status"}));
  EXPECT_EQ(FieldsOf([&] { shipping_.AdvanceShipment(kId, ShipmentStatus::kCancelled); }),
            (std::vector<std::string>{"to_status"}));
  EXPECT_EQ(FieldsOf([&] { shipping_.AdvanceShipment("junk", static_cast<ShipmentStatus>(42)); }),
            (std::vector<std::string>{"id", "to_status"}));
}

TEST_F(ShippingTest, AdvancingAnUnknownShipmentIsNotFound) {
  EXPECT_CALL(repo_, Update(kId, _)).WillOnce(Return(std::nullopt));
  EXPECT_THROW(shipping_.AdvanceShipment(kId, ShipmentStatus::kDispatched), NotFound);
}

TEST_F(ShippingTest, CancelNeedsAReasonAndRecordsIt) {
  EXPECT_CALL(repo_, Update(_, _)).Times(0);
  for (const std::string& bad : {std::string(), std::string("   "), std::string(501, 'r'), std::string("a\x01")}) {
    EXPECT_EQ(FieldsOf([&] { shipping_.CancelShipment(kId, bad); }), (std::vector<std::string>{"reason"}));
  }
  ::testing::Mock::VerifyAndClearExpectations(&repo_);

  EXPECT_CALL(repo_, Update(kId, _)).WillOnce(Invoke(RunChangeOn(Stored({}))));
  auto cancelled = shipping_.CancelShipment(kId, "payment failed\nsecond line");
  EXPECT_EQ(cancelled.status, ShipmentStatus::kCancelled);
  EXPECT_EQ(cancelled.cancel_reason, "payment failed\nsecond line");
  EXPECT_EQ(cancelled.cancelled_at, kNowMicros);
}

TEST_F(ShippingTest, ListPagesWithAnOpaqueTokenBoundToTheFilter) {
  EXPECT_CALL(repo_, List(Field(&ShipmentQuery::limit, kDefaultPageSize)))
      .WillOnce(Return(ShipmentPage{{Stored({})}, PageToken{42, kId}}));
  auto first = shipping_.ListShipments({});
  ASSERT_FALSE(first.next_page_token.empty());

  EXPECT_CALL(repo_, List(Field(&ShipmentQuery::after, std::optional<PageToken>(PageToken{42, kId}))))
      .WillOnce(Return(ShipmentPage{}));
  EXPECT_TRUE(shipping_.ListShipments({.page_token = first.next_page_token}).next_page_token.empty());

  EXPECT_EQ(FieldsOf([&] {
              shipping_.ListShipments({.status = ShipmentStatus::kDelivered, .page_token = first.next_page_token});
            }),
            (std::vector<std::string>{"page_token"}));
}

TEST_F(ShippingTest, ListRejectsBadParametersWithoutTouchingTheRepository) {
  EXPECT_CALL(repo_, List(_)).Times(0);
  EXPECT_THROW(shipping_.ListShipments({.page_size = 101}), InvalidArgument);
  EXPECT_THROW(shipping_.ListShipments({.page_size = -1}), InvalidArgument);
  EXPECT_THROW(shipping_.ListShipments({.status = static_cast<ShipmentStatus>(9)}), InvalidArgument);
  EXPECT_THROW(shipping_.ListShipments({.page_token = "garbage"}), InvalidArgument);
}

TEST_F(ShippingTest, ListPassesTheStatusFilterAndPageSize) {
  EXPECT_CALL(repo_, List(::testing::AllOf(Field(&ShipmentQuery::status, ShipmentStatus::kDispatched),
                                           Field(&ShipmentQuery::limit, 100))))
      .WillOnce(Return(ShipmentPage{}));
  shipping_.ListShipments({.status = ShipmentStatus::kDispatched, .page_size = 100});
}

// --- Reactions to order events and the automatic progression ------------------------------------

TEST_F(ShippingTest, AConfirmedOrdersShipmentIsScheduledOnce) {
  Shipping shipping{repo_, [] { return kNow; }, SecureRandomDigits(),
                    ProgressionDelays{.dispatch = std::chrono::seconds(30), .delivery = std::chrono::seconds(60)}};
  Shipment labelled = Stored({});
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(labelled)));
  auto first = shipping.StartProgression(kOrderId);
  EXPECT_EQ(first.outcome, OrderEventOutcome::kApplied);
  EXPECT_EQ(first.shipment->next_step_at, kNowMicros + std::chrono::seconds(30));

  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(*first.shipment)));
  EXPECT_EQ(shipping.StartProgression(kOrderId).outcome, OrderEventOutcome::kUnchanged) << "a redelivery";

  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Return(std::nullopt));
  EXPECT_EQ(shipping.StartProgression(kOrderId).outcome, OrderEventOutcome::kNoShipment);

  EXPECT_CALL(repo_, UpdateByOrder(_, _)).Times(0);
  EXPECT_THROW(shipping.StartProgression("not-a-uuid"), InvalidArgument);
}

TEST_F(ShippingTest, ACancelledOrdersShipmentIsCancelledUnlessWithTheCarrier) {
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(Stored({}))));
  auto cancelled = shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "customer changed their mind");
  EXPECT_EQ(cancelled.outcome, OrderEventOutcome::kApplied);
  EXPECT_EQ(cancelled.shipment->status, ShipmentStatus::kCancelled);
  EXPECT_EQ(cancelled.shipment->cancel_reason, "order cancelled: customer changed their mind");

  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(*cancelled.shipment)));
  auto again = shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "other");
  EXPECT_EQ(again.outcome, OrderEventOutcome::kUnchanged);
  EXPECT_EQ(again.shipment->cancel_reason, "order cancelled: customer changed their mind");

  for (auto status : {ShipmentStatus::kDispatched, ShipmentStatus::kDelivered}) {
    Shipment with_carrier = Stored({});
    with_carrier.status = status;
    with_carrier.dispatched_at = kNow;
    if (status == ShipmentStatus::kDelivered) with_carrier.delivered_at = kNow;
    EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(with_carrier)));
    auto result = shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "");
    EXPECT_EQ(result.outcome, OrderEventOutcome::kWithCarrier);
    EXPECT_EQ(result.shipment->status, status) << "it goes on";
  }

  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Return(std::nullopt));
  EXPECT_EQ(shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "").outcome, OrderEventOutcome::kNoShipment);
}

TEST_F(ShippingTest, TheCancelAndClosureReasonsAreMadeToFitTheColumn) {
  Shipment captured;
  auto capture = [&](const std::string&, const ShipmentRepository::Change& change) {
    captured = Stored({});
    change(captured);
    return std::optional<Shipment>(captured);
  };
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillRepeatedly(Invoke(capture));
  OrderClosure closure;
  EXPECT_CALL(repo_, RecordClosure(_)).WillRepeatedly(Invoke([&](const OrderClosure& c) {
    closure = c;
    return true;
  }));

  shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "");
  EXPECT_EQ(captured.cancel_reason, "order cancelled");
  EXPECT_EQ(closure.reason, "");

  shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "line one\nline\ttwo\x01");
  EXPECT_EQ(captured.cancel_reason, "order cancelled: line one line two ");
  EXPECT_EQ(closure.reason, "line one line two ");

  shipping_.EndOrder(kOrderId, OrderEnding::kFailed, "shipping is unavailable; the payment was voided");
  EXPECT_EQ(captured.cancel_reason, "order failed: shipping is unavailable; the payment was voided");

  // 600 two-byte characters: cut at 500 bytes without splitting one.
  std::string long_reason;
  for (int i = 0; i < 600; ++i) long_reason += "\xC3\xA9";
  shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, long_reason);
  for (const auto& reason : {captured.cancel_reason, closure.reason}) {
    EXPECT_LE(reason.size(), kMaxCancelReasonLength);
    EXPECT_GE(reason.size(), kMaxCancelReasonLength - 1);
    EXPECT_NE(static_cast<unsigned char>(reason.back()), 0xC3) << "no half character at the end";
  }
}

// --- An order that has ended gets no shipment (issue 11) -----------------------------------------

// Expects one WithOrderLock for the order that runs the work with `held` set, as the real
// repository runs it inside the transaction that holds the lock.
void ExpectOneOrderLock(MockShipmentRepository& repo, bool& held) {
  EXPECT_CALL(repo, WithOrderLock(kOrderId, _))
      .WillOnce(Invoke([&repo, &held](const std::string&, const ShipmentRepository::OrderWork& work) {
        held = true;
        work(repo);
        held = false;
      }));
}

OrderClosure Failed() {
  return {kOrderId, OrderEnding::kFailed, "shipping is unavailable; the payment was voided", kNowMicros};
}

TEST_F(ShippingTest, CreateLooksForTheShipmentThenTheClosureThenInsertsAllUnderTheOrdersLock) {
  bool held = false;
  ExpectOneOrderLock(repo_, held);
  ::testing::InSequence in_order;
  EXPECT_CALL(repo_, GetByOrder(kOrderId)).WillOnce(Invoke([&](const std::string&) {
    EXPECT_TRUE(held);
    return std::optional<Shipment>();
  }));
  EXPECT_CALL(repo_, FindClosure(kOrderId)).WillOnce(Invoke([&](const std::string&) {
    EXPECT_TRUE(held);
    return std::optional<OrderClosure>();
  }));
  EXPECT_CALL(repo_, Create(_)).WillOnce(Invoke([&](const Shipment& s) {
    EXPECT_TRUE(held) << "inserted after the lock was let go: a closure could come in between";
    return ShipmentRepository::CreateResult{Outcome::kCreated, Stored(s)};
  }));
  EXPECT_EQ(shipping_.CreateShipment(Request()).id, kId);
}

TEST_F(ShippingTest, AnOrderThatHasEndedGetsNoShipment) {
  EXPECT_CALL(repo_, GetByOrder(kOrderId)).WillOnce(Return(std::nullopt));
  EXPECT_CALL(repo_, FindClosure(kOrderId)).WillOnce(Return(Failed()));
  EXPECT_CALL(repo_, Create(_)).Times(0);
  try {
    shipping_.CreateShipment(Request());
    FAIL() << "expected FailedPrecondition";
  } catch (const FailedPrecondition& e) {
    EXPECT_EQ(std::string(e.what()),
              std::string("order ") + kOrderId + " has already ended (FAILED); no shipment was created");
  }
}

TEST_F(ShippingTest, AShipmentMadeBeforeTheOrderEndedIsStillTheAnswerToARepeat) {
  Shipment cancelled = StoredRequest();
  cancelled.order_id = kOrderId;
  cancelled.status = ShipmentStatus::kCancelled;
  cancelled.cancel_reason = "order failed";
  EXPECT_CALL(repo_, GetByOrder(kOrderId)).WillRepeatedly(Return(cancelled));
  EXPECT_CALL(repo_, FindClosure(_)).Times(0);
  EXPECT_CALL(repo_, Create(_)).Times(0);
  auto again = shipping_.CreateShipment(Request());
  EXPECT_EQ(again.id, kId);
  EXPECT_EQ(again.status, ShipmentStatus::kCancelled);
  EXPECT_THROW(shipping_.CreateShipment(Request("standard")), AlreadyExists);
}

TEST_F(ShippingTest, AFailedOrderIsClosedThenItsShipmentCancelledUnderTheOrdersLock) {
  bool held = false;
  ExpectOneOrderLock(repo_, held);
  ::testing::InSequence in_order;
  EXPECT_CALL(repo_, RecordClosure(Failed())).WillOnce(Invoke([&](const OrderClosure&) {
    EXPECT_TRUE(held);
    return true;
  }));
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _))
      .WillOnce(Invoke([&](const std::string& id, const ShipmentRepository::Change& change) {
        EXPECT_TRUE(held);
        return RunChangeOn(Stored({}))(id, change);
      }));
  auto result = shipping_.EndOrder(kOrderId, OrderEnding::kFailed, "shipping is unavailable; the payment was voided");
  EXPECT_EQ(result.outcome, OrderEventOutcome::kApplied);
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.shipment->status, ShipmentStatus::kCancelled);
  EXPECT_EQ(result.shipment->cancel_reason, "order failed: shipping is unavailable; the payment was voided");
  EXPECT_EQ(result.shipment->cancelled_at, kNowMicros);
}

TEST_F(ShippingTest, AnOrderWithoutAShipmentIsClosedAllTheSame) {
  EXPECT_CALL(repo_, RecordClosure(Failed())).WillOnce(Return(true));
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Return(std::nullopt));
  auto result = shipping_.EndOrder(kOrderId, OrderEnding::kFailed, "shipping is unavailable; the payment was voided");
  EXPECT_EQ(result.outcome, OrderEventOutcome::kNoShipment);
  EXPECT_TRUE(result.closed) << "so that a CreateShipment arriving late is refused";
}

TEST_F(ShippingTest, AnOrderEndingAgainKeepsTheFirstEndingAndChangesNothing) {
  Shipment cancelled = Stored({});
  ASSERT_TRUE(Cancel(cancelled, "order failed: timeout", kNowMicros));
  EXPECT_CALL(repo_, RecordClosure(Field(&OrderClosure::ending, OrderEnding::kCancelled))).WillOnce(Return(false));
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(cancelled)));
  auto result = shipping_.EndOrder(kOrderId, OrderEnding::kCancelled, "shopper asked");
  EXPECT_FALSE(result.closed);
  EXPECT_EQ(result.outcome, OrderEventOutcome::kUnchanged);
  EXPECT_EQ(result.shipment->cancel_reason, "order failed: timeout");
}

TEST_F(ShippingTest, AFailedOrdersDispatchedShipmentCannotBeRecalled) {
  Shipment dispatched = Stored({});
  ASSERT_TRUE(Advance(dispatched, ShipmentStatus::kDispatched, kNowMicros));
  EXPECT_CALL(repo_, RecordClosure(Failed())).WillOnce(Return(true));
  EXPECT_CALL(repo_, UpdateByOrder(kOrderId, _)).WillOnce(Invoke(RunChangeOn(dispatched)));
  auto result = shipping_.EndOrder(kOrderId, OrderEnding::kFailed, "shipping is unavailable; the payment was voided");
  EXPECT_EQ(result.outcome, OrderEventOutcome::kWithCarrier);
  EXPECT_EQ(result.shipment->status, ShipmentStatus::kDispatched);
  EXPECT_TRUE(result.closed);
}

TEST_F(ShippingTest, EndingAnOrderChecksItsIdFirst) {
  EXPECT_CALL(repo_, WithOrderLock(_, _)).Times(0);
  EXPECT_THROW(shipping_.EndOrder("not-a-uuid", OrderEnding::kFailed, ""), InvalidArgument);
}

TEST_F(ShippingTest, AProgressionPassTakesEveryDueStepEachOnItsOwnAndStops) {
  // Three due shipments, then none: the pass asks for one more and learns it is done.
  std::vector<Shipment> due(3, Stored({}));
  for (auto& s : due) s.next_step_at = kNowMicros - std::chrono::seconds(1);
  std::size_t next = 0;
  EXPECT_CALL(repo_, UpdateOneDue(kNowMicros, _))
      .Times(4)
      .WillRepeatedly(Invoke([&](Timestamp, const ShipmentRepository::Change& change) -> std::optional<Shipment> {
        if (next == due.size()) return std::nullopt;
        EXPECT_TRUE(change(due[next]));
        return due[next++];
      }));
  EXPECT_EQ(shipping_.AdvanceDueShipments(kNow), 3) << "now is truncated to microseconds like every stored time";
  for (const auto& s : due) EXPECT_EQ(s.status, ShipmentStatus::kDispatched);
}

TEST_F(ShippingTest, AProgressionPassIsBounded) {
  EXPECT_CALL(repo_, UpdateOneDue(_, _))
      .Times(Shipping::kMaxStepsPerPass)
      .WillRepeatedly(Invoke(
          [](Timestamp, const ShipmentRepository::Change&) { return std::optional<Shipment>(Stored({})); }));
  EXPECT_EQ(shipping_.AdvanceDueShipments(kNow), Shipping::kMaxStepsPerPass);
}

}  // namespace
}  // namespace storefront::shipping::domain

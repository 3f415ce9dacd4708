// The checkout saga: an orchestrator that turns a cart into an order.
//
//   load cart -> price from the catalog -> quote shipping        (reads, before the order exists)
//   reserve inventory -> authorize payment -> create shipment -> confirm (commit the reservation)
//
// Every step is written to the checkout schema (as PENDING) before its remote call starts and
// again with its outcome, so a checkout process that dies mid-saga leaves a record that tells
// the next one exactly where it stopped. A failed step compensates the earlier ones in reverse
// (cancel the shipment, void the authorization, release the reservation) and leaves the order
// FAILED with a failure code and a reason a person can read.
//
// Ownership of a running saga is a lease (orders.lease_until), renewed at every step: recovery
// (RecoverOne, run at start-up and periodically) only takes orders whose lease ran out, so
// several replicas never drive the same order. The card is never stored: a saga resumed after a
// crash before its authorization was confirmed asks payments whether it went through, and
// compensates when it did not.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "domain/ports.h"
#include "shared/errors/errors.h"
#include "shared/types/money.h"

namespace storefront::checkout::domain {

struct PlaceOrderCommand {
  std::string idempotency_key;
  std::string customer_id;
  std::string customer_email;
  Address shipping_address;
  std::string shipping_option_id;
  Card card;
  std::optional<Money> expected_total;
  std::string traceparent;  // of the request, kept with the order (Order::traceparent)
};

// PlaceOrder's refusal when the shopper's expected total is no longer the order's: nothing was
// reserved or charged; `total` is what to show them instead.
class TotalChanged : public FailedPrecondition {
 public:
  explicit TotalChanged(Money total)
      : FailedPrecondition("the total is now " + types::FormatMoney(total) + "; review the order and try again"),
        total(std::move(total)) {}
  Money total;
};

struct SagaSettings {
  int reservation_ttl_seconds = 900;
  std::chrono::milliseconds lease{15000};
};

struct OrderListRequest {
  OrderFilter filter;  // limit, status, customer fields; position from page_token
  std::string page_token;
};

struct OrderListResult {
  std::vector<Order> orders;
  std::string next_page_token;
};

struct RefundCommand {
  std::string idempotency_key;  // one per operator action: a replay never pays out twice
  std::string order_id;
  std::optional<Money> amount;  // nullopt: everything captured and not yet refunded
  std::string reason;
};

// The one currency sales reports count in: the store prices everything in it.
inline constexpr const char* kReportCurrency = "USD";
// A report spans at most this many hours or days.
inline constexpr std::int64_t kMaxSalesBuckets = 1000;

struct SalesReport {
  Granularity granularity = Granularity::kDay;
  std::string currency;
  std::vector<SalesBucket> buckets;  // oldest first, empty ones included
};

class Checkout {
 public:
  Checkout(OrderRepository& orders, CartPort& cart, CatalogPort& catalog, ShippingPort& shipping,
           InventoryPort& inventory, PaymentsPort& payments, SagaSettings settings, Clock clock,
           SagaObserver* observer = nullptr);

  // Runs the whole saga and returns the order in the state it reached (CONFIRMED, or FAILED
  // with a reason; still in progress only when a dependency went away mid-way).
  // Same key and same request again: the same order. Same key, different request:
  // AlreadyExists. Same key while the first is still running: Aborted.
  Order PlaceOrder(const PlaceOrderCommand& command);
  // customer_id empty = operator (any order); otherwise another customer's order is NotFound.
  Order GetOrder(const std::string& order_id, const std::string& customer_id);
  OrderListResult ListOrders(const OrderListRequest& request);
  // Cancels a confirmed order that has not shipped, as a saga of its own: the order becomes
  // CANCELLING (recorded, leased), then the shipment is cancelled, the payment voided (refunded
  // if captured), the stock put back, and it ends CANCELLED with one OrderCancelled. A dependency
  // that is away leaves it CANCELLING for recovery to finish; a parcel that already left turns the
  // cancel down (back to CONFIRMED). Cancelling a CANCELLING or CANCELLED order returns it.
  Order CancelOrder(const std::string& order_id, const std::string& customer_id, const std::string& reason);
  // Operators: refunds a captured payment, in whole or in part, through payments. Only an order
  // whose payment is captured (or partly refunded) can be refunded: anything else is
  // FailedPrecondition. A refund that gives back everything moves the order to REFUNDED with a
  // timeline entry; a partial one only updates the payment's status. Publishes nothing itself:
  // payments announces PaymentRefunded.
  Order RefundOrder(const RefundCommand& command);
  // Operators: confirmed-or-later orders and their revenue per hour or day over [from, to).
  // Every argument is required (a missing one is named in the InvalidArgument), the range at
  // most kMaxSalesBuckets hours or days.
  SalesReport Sales(std::optional<Granularity> granularity, std::optional<Timestamp> from,
                    std::optional<Timestamp> to);
  // Finishes or compensates one saga whose runner stopped; false when none is waiting.
  bool RecoverOne();

  // The request fingerprint an idempotency key is bound to (no card number in it).
  static std::string Fingerprint(const PlaceOrderCommand& command);

 private:
  void Drive(Order& order, const Card* card);
  void Reserve(Order& order);
  void Authorize(Order& order, const Card* card);
  void ShipAndConfirm(Order& order);
  // Returns false when a compensation could not run yet (a dependency is down).
  bool Compensate(Order& order);
  // The cancel saga's steps for a CANCELLING order; false when a dependency is away.
  bool CarryOutCancel(Order& order);
  // What a saga records, and when. A step about to call another service is saved (PENDING) before
  // the call, together with everything since the last save (the previous step's result, a status
  // reached): so recovery always knows which call may have happened, and one transaction per
  // call is all a saga writes. A terminal status and a failure are saved at once; so is what a
  // drive leaves behind when it stops to wait. A crash between a call's answer and the next save
  // loses only that answer, and recovery asks again with the same key (every call is safe to
  // repeat).
  void Fail(Order& order, Failure failure, std::string reason);
  void SetStep(Order& order, const std::string& name, StepState state, std::string detail);
  void SetStatus(Order& order, OrderStatus status, std::string note);
  void Record(Order& order);
  Order Replay(const Order& existing, const std::string& fingerprint);

  OrderRepository& orders_;
  CartPort& cart_;
  CatalogPort& catalog_;
  ShippingPort& shipping_;
  InventoryPort& inventory_;
  PaymentsPort& payments_;
  SagaSettings settings_;
  Clock clock_;
  SagaObserver* observer_;  // may be null
};

void ValidatePlaceOrder(const PlaceOrderCommand& command, Violations& violations);

}  // namespace storefront::checkout::domain

// Every port of the checkout's domain: the other services the saga calls (adapters over gRPC in
// clients/), its own order store (repo/) and the read model the event handlers update
// (consumers/, over repo/). Unit tests put GoogleMock doubles behind them (domain/mocks.h).
//
// Adapters report a dependency that is down or too slow by throwing storefront::Unavailable;
// business outcomes (not enough stock, a declined card) are return values, not exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/order.h"
#include "domain/page_token.h"
#include "shared/errors/errors.h"

namespace storefront::checkout::domain {

struct CartLine {
  std::string product_id;
  int quantity = 0;
};

// The cart as checkout reads it: its lines, and its version (the cart's updated_at; none for a
// cart never written), which the order carries to OrderConfirmed so that the cart removes only
// the lines the shopper has not changed since.
struct CartContents {
  std::vector<CartLine> lines;
  std::optional<types::Timestamp> version;
};

struct PricedProduct {
  std::string id;
  std::string sku;
  std::string name;
  Money price;
  bool active = true;
};

struct ShippingQuote {
  std::string id;
  std::string carrier;
  std::string service;
  Money price;
};

struct Shortage {
  std::string product_id;
  int requested = 0;
  int available = 0;
};

struct ReserveResult {
  std::string reservation_id;     // set on success
  std::vector<Shortage> shortages;  // set when stock is short
};

struct PaymentResult {
  std::string payment_id;
  PaymentStatus status = PaymentStatus::kNone;
  std::string decline_code;  // DECLINED only, payments' code, e.g. "card_declined"
  std::string card_brand;
  std::string card_last4;
};

struct ShipmentResult {
  std::string shipment_id;
  std::string carrier;
  std::string tracking_number;
  ShipmentStatus status = ShipmentStatus::kNone;
};

class CartPort {
 public:
  virtual ~CartPort() = default;
  virtual CartContents GetCart(const std::string& customer_id) = 0;
};

class CatalogPort {
 public:
  virtual ~CatalogPort() = default;
  virtual std::vector<PricedProduct> BatchGet(const std::vector<std::string>& ids) = 0;
};

class ShippingPort {
 public:
  virtual ~ShippingPort() = default;
  virtual std::vector<ShippingQuote> Quote(const Address& address, int item_count, const Money& subtotal) = 0;
  // Idempotent on the order id.
  virtual ShipmentResult CreateShipment(const Order& order) = 0;
  virtual void CancelShipment(const std::string& shipment_id, const std::string& reason) = 0;
};

class InventoryPort {
 public:
  virtual ~InventoryPort() = default;
  // Idempotent on the order id. An order whose reservation was released (it expired, or the order
  // failed meanwhile) cannot hold stock again: FailedPrecondition.
  virtual ReserveResult Reserve(const std::string& order_id, const std::vector<CartLine>& lines, int ttl_seconds) = 0;
  // Turns the hold into a sale; idempotent. FailedPrecondition when the reservation was released
  // first (its hold expired): the units may be sold to someone else.
  virtual void Commit(const std::string& reservation_id) = 0;
  // cancelled: the order was cancelled (vs. the checkout failed).
  virtual void Release(const std::string& reservation_id, bool cancelled) = 0;
};

class PaymentsPort {
 public:
  virtual ~PaymentsPort() = default;
  // Idempotent on the key. A processor outage throws Unavailable.
  virtual PaymentResult Authorize(const std::string& idempotency_key, const Order& order, const Card& card) = 0;
  // The order's payment in state AUTHORIZED (or later), if any: how recovery learns whether an
  // interrupted authorization went through.
  virtual std::optional<PaymentResult> FindAuthorized(const std::string& order_id) = 0;
  virtual PaymentResult Void(const std::string& idempotency_key, const std::string& payment_id) = 0;
  // Gives back `amount` (nullopt: all that is left) of a captured payment. The result's status
  // is REFUNDED once everything captured was given back, else PARTIALLY_REFUNDED.
  virtual PaymentResult Refund(const std::string& idempotency_key, const std::string& payment_id,
                               const std::optional<Money>& amount, const std::string& reason) = 0;
};

struct OrderFilter {
  std::string customer_id;  // empty: every customer (operators)
  std::optional<OrderStatus> status;
  std::string customer_email;
  std::optional<Timestamp> created_after;   // inclusive
  std::optional<Timestamp> created_before;  // exclusive
  int limit = 20;
  std::optional<PageToken> after;  // keyset position: strictly after this (created_at, id)
};

struct OrderPage {
  std::vector<Order> orders;
  bool more = false;
};

enum class Granularity { kHour, kDay };

struct SalesQuery {
  Granularity granularity = Granularity::kDay;
  Timestamp from;  // inclusive
  Timestamp to;    // exclusive
  std::string currency;
};

struct SalesBucket {
  Timestamp start;  // the hour or day (UTC)
  std::int64_t orders = 0;
  Money revenue;
  bool operator==(const SalesBucket&) const = default;
};

// Thrown by OrderRepository::Save when the order's lease was taken over (its fencing token moved
// on): the caller is a runner that stalled past its lease, and must stop driving the order.
class LeaseLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by OrderRepository::Save when the stored order moved to a status this save may not move
// it from (an event advanced it meanwhile, e.g. the parcel left while a cancel ran): the caller's
// copy is stale; nothing was written.
class OrderMovedOn : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OrderRepository {
 public:
  virtual ~OrderRepository() = default;
  // Inserts a new order, holding the saga lease with token kFirstLeaseToken. Throws
  // AlreadyExists when the customer already used the idempotency key (a concurrent duplicate).
  virtual std::string Create(const Order& order, std::chrono::milliseconds lease) = 0;  // returns the new id
  // Writes the order's state, steps, new timeline entries and pending events (to the outbox) in
  // one transaction and renews the lease, if and only if `order.lease_token` is still the order's
  // token (else LeaseLost) and the stored status is the order's or one it may move from
  // (CanMove; else OrderMovedOn). Nothing is written when it throws. The payment and shipment
  // statuses only move forward (what events reported later is never overwritten), and timeline
  // entries already stored are not written twice. A save of an ended order (IsTerminal) gives
  // the lease back in the same statement, so a saga's end costs no extra round trip.
  virtual void Save(const Order& order, std::chrono::milliseconds lease) = 0;
  // A cancel accepted: CONFIRMED -> CANCELLING with `reason`, a timeline entry, and the lease
  // under a new token, in one step. nullopt (nothing written) when the order is not CONFIRMED now.
  virtual std::optional<Order> BeginCancel(const std::string& order_id, const std::string& reason,
                                           std::chrono::milliseconds lease) = 0;
  // An operator's refund heard back from payments: records the payment's status (forward only)
  // and, when everything was given back, moves a sold order to REFUNDED with a timeline entry.
  // Touches nothing else, so it never undoes what events changed meanwhile.
  virtual void RecordRefund(const std::string& order_id, PaymentStatus payment_status, bool fully_refunded,
                            const std::string& note) = 0;
  virtual std::optional<Order> Get(const std::string& order_id) = 0;
  virtual std::optional<Order> FindByIdempotencyKey(const std::string& customer_id, const std::string& key) = 0;
  // True when some runner holds the order's lease now.
  virtual bool IsLeased(const std::string& order_id) = 0;
  // Takes the lease of one unfinished order whose lease ran out, if any: recovery's next job. The
  // order comes back with a new fencing token, which fences off the runner that held it before.
  virtual std::optional<Order> ClaimStale(std::chrono::milliseconds lease) = 0;
  virtual OrderPage List(const OrderFilter& filter) = 0;
  // One bucket per hour or day from the one holding query.from up to query.to, oldest first,
  // empty ones included: confirmed-or-later orders in query.currency created in [from, to).
  virtual std::vector<SalesBucket> Sales(const SalesQuery& query) = 0;
};

// What the saga reports as it runs, for the checkout_* figures and for tracing (the adapter is
// in app.cpp); none, in unit tests that do not look.
class SagaObserver {
 public:
  virtual ~SagaObserver() = default;
  // One stage of a saga ran, named by what it does (reserve_inventory, authorize_payment,
  // ship_and_confirm, compensate, cancel), with its result: advanced, failed (the order now
  // fails or compensation could not finish) or waiting (a dependency is away; recovery goes on).
  virtual void StageRan(std::string_view stage, std::string_view result, std::chrono::nanoseconds took) = 0;
  // A saga reached a terminal status: CONFIRMED, FAILED (with its failure) or CANCELLED.
  virtual void Ended(OrderStatus status, Failure failure) = 0;
  // Recovery is about to drive `order`, whose runner stopped: the returned object keeps the
  // order's own trace current until destroyed, so the resumed steps join it.
  struct Scope {
    virtual ~Scope() = default;
  };
  virtual std::unique_ptr<Scope> Resuming(const Order& order) = 0;
};

// The read model's writes: what shipping and payments announce about an order, applied inside
// the transaction of the event that announced it (domain/order_tracking.h decides what to apply).
// An order id nobody placed changes nothing.
class OrderTrackingStore {
 public:
  virtual ~OrderTrackingStore() = default;
  virtual void SetShipmentStatus(const std::string& order_id, ShipmentStatus status) = 0;
  virtual void SetPaymentStatus(const std::string& order_id, PaymentStatus status) = 0;
  // Moves the order to `to`, with a timeline entry saying `note`, when its status is one of
  // `from`; false (and nothing written) when it is not.
  virtual bool Advance(const std::string& order_id, const std::vector<OrderStatus>& from, OrderStatus to,
                       const std::string& note) = 0;
};

}  // namespace storefront::checkout::domain

// The checkout's business types: an order, its lines, the saga's steps and the timeline, and
// the statuses of the payment and shipment an order shows. Plain C++: no gRPC, libpqxx or Kafka.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/types/address.h"
#include "shared/types/money.h"
#include "shared/types/time.h"

namespace storefront::checkout::domain {

// The shared kernel's values, under the names the checkout's code reads best with.
using types::Address;
using types::Clock;
using types::Money;
using types::Timestamp;

// Card details travel through checkout to payments and are never stored or logged here.
struct Card {
  std::string number;
  int exp_month = 0;
  int exp_year = 0;
  std::string cvc;
  std::string Last4() const;
};

enum class OrderStatus {
  kPending, kReserved, kPaymentAuthorized, kConfirmed, kShipped, kDelivered, kFailed, kCancelled, kRefunded,
  kCancelling,  // a cancel is being carried out, step by step, by whoever holds the lease
};
enum class Failure { kNone, kOutOfStock, kPaymentDeclined, kDependencyUnavailable, kShippingFailed, kInterrupted };
enum class StepState { kPending, kSucceeded, kFailed, kCompensated };
// The order's payment as payments reports it (its answers, then its events); kNone before any.
enum class PaymentStatus { kNone, kAuthorized, kCaptured, kVoided, kRefunded, kPartiallyRefunded, kDeclined, kFailed };
// The order's shipment as shipping reports it; kNone before the shipment exists.
enum class ShipmentStatus { kNone, kLabelCreated, kDispatched, kDelivered, kCancelled };

// The names the checkout schema stores ("PAYMENT_AUTHORIZED", "CAPTURED", ...; kNone is "").
const char* ToString(OrderStatus status);
const char* ToString(StepState state);
const char* ToString(Failure failure);
const char* ToString(PaymentStatus status);
const char* ToString(ShipmentStatus status);
std::optional<OrderStatus> OrderStatusFromString(const std::string& text);
std::optional<StepState> StepStateFromString(const std::string& text);
std::optional<Failure> FailureFromString(const std::string& text);
std::optional<PaymentStatus> PaymentStatusFromString(const std::string& text);
std::optional<ShipmentStatus> ShipmentStatusFromString(const std::string& text);
// False while a saga still has to drive the order: checkout's steps, or a cancel's.
bool IsTerminal(OrderStatus status);
// The status changes a saga's save may make (events advance orders through the tracking store,
// and a cancel begins with OrderRepository::BeginCancel): the checkout's steps forward, FAILED
// from any of them, CANCELLED from CANCELLING, and back to CONFIRMED when a cancel is refused.
bool CanMove(OrderStatus from, OrderStatus to);

// Step names, in the order the saga runs them.
inline constexpr const char* kStepLoadCart = "load_cart";
inline constexpr const char* kStepPrice = "price_items";
inline constexpr const char* kStepQuote = "quote_shipping";
inline constexpr const char* kStepReserve = "reserve_inventory";
inline constexpr const char* kStepAuthorize = "authorize_payment";
inline constexpr const char* kStepShipment = "create_shipment";
inline constexpr const char* kStepCommitStock = "commit_stock";
inline constexpr const char* kStepConfirm = "confirm";
// The cancel saga's steps, after the checkout's.
inline constexpr const char* kStepCancelShipment = "cancel_shipment";
inline constexpr const char* kStepReleasePayment = "release_payment";
inline constexpr const char* kStepReleaseStock = "release_stock";

struct OrderItem {
  std::string product_id;
  std::string sku;
  std::string name;
  int quantity = 0;
  Money unit_price;
  Money line_total;
};

struct SagaStep {
  std::string name;
  StepState state = StepState::kPending;
  std::string detail;
  Timestamp at;
};

struct TimelineEntry {
  OrderStatus status = OrderStatus::kPending;
  std::string note;
  Timestamp at;
};

// What an order announces to the other services (published through the outbox, in the same
// transaction that records the change).
enum class OrderEvent { kPlaced, kConfirmed, kFailed, kCancelled };

// The fencing token of the lease a new order is created with; each later claim takes the next.
inline constexpr std::int64_t kFirstLeaseToken = 1;

struct Order {
  std::string id;
  std::string customer_id;
  std::string customer_email;
  std::string idempotency_key;
  std::string request_fingerprint;
  OrderStatus status = OrderStatus::kPending;
  Failure failure = Failure::kNone;  // set while compensating, and on FAILED orders
  std::string failure_reason;
  std::string cancel_reason;  // what the shopper or operator gave, once a cancel was accepted
  std::vector<OrderItem> items;
  Money subtotal;
  Money shipping_price;
  Money total;
  Address shipping_address;
  std::string shipping_option_id;
  std::string reservation_id;
  std::string payment_id;
  PaymentStatus payment_status = PaymentStatus::kNone;
  std::string card_brand;  // payments' CardBrand name, e.g. "VISA": shown, never decided on
  std::string card_last4;
  // The W3C traceparent of the checkout request that placed it (empty before traces were
  // recorded): its trace id names the order's trace; recovery continues that trace.
  std::string traceparent;
  // The version of the cart it was priced from (CartContents::version); none for orders placed
  // before it was recorded.
  std::optional<Timestamp> cart_version;
  std::string shipment_id;
  std::string carrier;
  std::string tracking_number;
  ShipmentStatus shipment_status = ShipmentStatus::kNone;
  std::vector<SagaStep> steps;
  std::vector<TimelineEntry> timeline;
  // Events to publish with the next save; the repository writes them and the domain clears them.
  std::vector<OrderEvent> pending_events;
  // The fencing token of the saga lease this copy was loaded or claimed with: every claim
  // (creation, recovery) takes a new one, and a save with an older one is refused (LeaseLost),
  // so a runner that stalled past its lease cannot write over the runner that took it over.
  std::int64_t lease_token = kFirstLeaseToken;
  Timestamp created_at;
  Timestamp updated_at;

  // The step with this name, if it ran.
  SagaStep* Step(const std::string& name);
  const SagaStep* Step(const std::string& name) const;
  int ItemCount() const;
};

}  // namespace storefront::checkout::domain

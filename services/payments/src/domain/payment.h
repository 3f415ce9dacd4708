// The payments service's business types, in plain C++: no gRPC, libpqxx or Kafka here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/types/money.h"
#include "shared/types/time.h"

namespace storefront::payments::domain {

using Timestamp = types::Timestamp;
// Injected wherever the time matters (card expiry, timestamps), so tests fix it instead of sleeping.
using Clock = types::Clock;
using Money = types::Money;

// kPending: the issuer has been asked (or is about to be) and its answer is not recorded yet; see
// ProcessorIntent. Internal: the API answers UNAVAILABLE for such a payment rather than show it.
enum class PaymentStatus { kAuthorized, kCaptured, kVoided, kRefunded, kPartiallyRefunded, kDeclined, kFailed, kPending };
enum class CardBrand { kVisa, kMastercard, kAmex, kDiscover, kUnknown };

// Stable lower_snake_case names: what the database stores and the logs print.
std::string_view ToString(PaymentStatus status);
std::string_view ToString(CardBrand brand);
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text);
std::optional<CardBrand> ParseCardBrand(std::string_view text);

// Decline codes this service produces itself.
inline constexpr const char* kExpiredCard = "expired_card";
inline constexpr const char* kCardDeclined = "card_declined";
// Card testing: the customer's cards were declined too often lately (PaymentsOptions::decline_limit).
inline constexpr const char* kTooManyDeclines = "too_many_declines";

// A payment as stored. Only the brand and last four digits of the card are kept.
struct Payment {
  std::string id;  // UUID
  std::string order_id;
  std::string customer_id;
  PaymentStatus status = PaymentStatus::kAuthorized;
  std::string currency;
  std::int64_t amount_minor = 0;    // authorized
  std::int64_t captured_minor = 0;  // <= amount_minor
  std::int64_t refunded_minor = 0;  // <= captured_minor
  CardBrand card_brand = CardBrand::kUnknown;
  std::string card_last4;
  std::string decline_code;         // DECLINED only
  std::string processor_reference;  // the processor's authorization id; empty unless authorized
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> captured_at;
  std::optional<Timestamp> voided_at;
  std::optional<Timestamp> last_refunded_at;
  bool operator==(const Payment&) const = default;
};

// The ledger: one row per thing that happened to a payment, never updated, for audit.
enum class OperationKind { kAuthorize, kDecline, kAuthorizeFailed, kCapture, kVoid, kRefund };
std::string_view ToString(OperationKind kind);
std::optional<OperationKind> ParseOperationKind(std::string_view text);

struct PaymentOperation {
  std::string payment_id;
  OperationKind kind = OperationKind::kAuthorize;
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string idempotency_key;
  std::string detail;  // the decline code, or the refund reason
  Timestamp at;
  bool operator==(const PaymentOperation&) const = default;
};

// What a change of a payment announces (proto/storefront/events/v1/payments_events.proto), in
// plain terms: the repository maps it to the event's payload and writes it to the outbox in the
// transaction that saves the change. Only changes announce; an idempotent replay does not.
enum class PaymentEventKind {
  kAuthorized,  // Authorize held the money
  kFailed,      // Authorize did not: DECLINED (by the issuer, or expired) or FAILED (outage)
  kCaptured,
  kVoided,
  kRefunded,  // one per refund
};

struct PaymentEvent {
  PaymentEventKind kind = PaymentEventKind::kAuthorized;
  Payment payment;                // as saved by the change
  std::int64_t amount_minor = 0;  // held, asked for, taken, released or given back by this change
  std::string reason;             // refunds
  bool operator==(const PaymentEvent&) const = default;
};

// The idempotency keys, scoped to the method they were sent to.
enum class Operation { kAuthorize, kCapture, kVoid, kRefund };
std::string_view ToString(Operation operation);
std::optional<Operation> ParseOperation(std::string_view text);

// What the first request with a key left behind: enough to tell a retry (same fingerprint)
// from a reuse of the key for another request, and to find the result again.
struct IdempotencyRecord {
  Operation operation = Operation::kAuthorize;
  std::string key;
  std::string fingerprint;  // hex SHA-256 of the request's non-secret fields
  std::string payment_id;
  Timestamp created_at;
  bool operator==(const IdempotencyRecord&) const = default;
};

// --- Calls to the card processor -------------------------------------------------------------

// kPending: recorded, not resolved (the call may be in flight, lost, or not made yet). kDone: its
// outcome is recorded (approved, declined, captured, ...). kFailed: the processor did not do it:
// an authorization it never took (an outage, or one the sweeper found it never saw), or a
// capture, void or refund it refused.
enum class IntentState { kPending, kDone, kFailed };
std::string_view ToString(IntentState state);
std::optional<IntentState> ParseIntentState(std::string_view text);

// A call to the card processor, recorded and committed before it is made, and resolved in the
// transaction that records its outcome. Whoever finds it pending (the request that recorded it,
// a retry of that request, the sweeper) may complete it: the processor key makes the processor
// act once, the intent's state makes the outcome recorded once.
struct ProcessorIntent {
  std::string id;  // UUID
  Operation operation = Operation::kAuthorize;
  std::string payment_id;
  std::string order_id;
  std::int64_t amount_minor = 0;  // held, taken, released or given back
  std::string currency;
  std::string processor_key;    // ProcessorKey(operation, payment_id, id)
  std::string idempotency_key;  // the request's
  std::string detail;           // a refund's reason
  IntentState state = IntentState::kPending;
  int attempts = 0;
  Timestamp created_at;
  Timestamp next_attempt_at;  // the sweeper leaves it alone until then
  std::optional<Timestamp> resolved_at;
  std::string last_error;
  bool operator==(const ProcessorIntent&) const = default;
};

// The idempotency key the processor is sent for an operation. Capture and void happen at most
// once per payment and authorize once per payment (a retry after an outage asks again for the
// same hold), so their keys name the payment; a payment may be refunded several times, so a
// refund's key names its intent as well.
std::string ProcessorKey(Operation operation, const std::string& payment_id, const std::string& intent_id);

// How an order ended, as checkout announced it (OrderFailed, OrderCancelled). Once an order has
// ended, payments takes no new authorization for it and releases what it holds.
enum class OrderEnd { kFailed, kCancelled };
std::string_view ToString(OrderEnd end);
std::optional<OrderEnd> ParseOrderEnd(std::string_view text);

// The record that an order has ended; the first one stands.
struct OrderClosure {
  std::string order_id;
  OrderEnd end = OrderEnd::kFailed;
  std::string reason;  // checkout's, as shown to the shopper; may be empty
  Timestamp closed_at;
  bool operator==(const OrderClosure&) const = default;
};

}  // namespace storefront::payments::domain

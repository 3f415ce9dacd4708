// The payments use cases: authorize a hold on a card, then capture, void or refund it.
//
// Depends only on the ports in domain/ports.h, PaymentRepository and CardProcessor, so it is unit
// tested with their mocks (domain/mocks.h) and runs in production over PostgreSQL (repo/) and the
// simulated processor (clients/).
//
// Every write is idempotent on its key (scoped to the method): the first request with a key
// records a fingerprint of its non-secret fields and the payment it touched; a retry with the
// same fingerprint gets that payment back without calling the processor again, and a different
// request with the same key is ALREADY_EXISTS. Errors are not recorded, so a request that
// failed validation or found the payment in the wrong state can be retried with its key. The
// one exception is a processor outage during Authorize: the attempt is recorded as FAILED (the
// order shows it) and the RPC is UNAVAILABLE; a retry with the same key tries the issuer again.
//
// An order that has ended (checkout's OrderFailed or OrderCancelled) takes no new authorization,
// and whatever it holds is released: see CloseOrder for why no Authorize can slip past.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/card.h"
#include "domain/payment.h"
#include "domain/ports.h"
#include "shared/types/time.h"
#include "shared/types/uuid.h"

namespace storefront::payments::domain {

struct AuthorizeRequest {
  std::string idempotency_key;
  std::string order_id;
  std::string customer_id;
  std::optional<Money> amount;  // required, > 0
  std::optional<Card> card;     // required
};

struct CaptureRequest {
  std::string idempotency_key;
  std::string payment_id;
  std::optional<Money> amount;  // unset or 0: all of it
};

struct VoidRequest {
  std::string idempotency_key;
  std::string payment_id;
};

struct RefundRequest {
  std::string idempotency_key;
  std::string payment_id;
  std::optional<Money> amount;  // unset or 0: all that is left
  std::string reason;
};

// Limits, shared by validation and documentation.
inline constexpr std::size_t kMaxKeyLength = 100;
inline constexpr std::size_t kMaxIdLength = 100;
inline constexpr std::size_t kMaxReasonLength = 500;
inline constexpr std::int64_t kMaxAmountMinor = 100'000'000'00;  // 100 million in major units

// Decline codes this service produces itself.
inline constexpr const char* kExpiredCard = "expired_card";
inline constexpr const char* kCardDeclined = "card_declined";

// What an order event (ShipmentDispatched, OrderFailed, OrderCancelled) did to the order's payment.
enum class OrderPaymentOutcome {
  kDone,         // captured, voided or refunded now
  kAlreadyDone,  // ShipmentDispatched: the payment was captured before (or since refunded)
  kNothingToDo,  // no payment in a state the event acts on (none at all, declined, voided, ...)
};

struct OrderPaymentResult {
  OrderPaymentOutcome outcome = OrderPaymentOutcome::kNothingToDo;
  std::optional<Payment> payment;  // the payment acted on or found, if any
};

class Payments {
 public:
  Payments(PaymentRepository& repository, CardProcessor& processor, Clock clock = types::SystemNow,
           IdGenerator new_id = types::NewUuid)
      : repository_(repository), processor_(processor), clock_(std::move(clock)), new_id_(std::move(new_id)) {}

  // A decline (by the issuer, or here for an expired card) is a DECLINED payment, not an error.
  // Throws InvalidArgument, AlreadyExists (key reused), Unavailable (processor outage), and
  // FailedPrecondition, without asking the issuer, when the order has already ended; a retry of
  // a request that was answered before the order ended still gets that answer back. It holds the
  // order's lock (PaymentTransaction::LockOrder) from before it claims its key until it commits.
  Payment Authorize(const AuthorizeRequest& request);
  // AUTHORIZED -> CAPTURED; the uncaptured remainder of the hold is released.
  Payment Capture(const CaptureRequest& request);
  // AUTHORIZED -> VOIDED.
  Payment Void(const VoidRequest& request);
  // CAPTURED or PARTIALLY_REFUNDED -> PARTIALLY_REFUNDED, or REFUNDED once all is given back.
  Payment Refund(const RefundRequest& request);

  // ShipmentDispatched: captures the order's AUTHORIZED payment in full, with the idempotency
  // key "capture:<order_id>". kAlreadyDone when it was captured already; kNothingToDo when the
  // order has no authorized or captured payment.
  OrderPaymentResult CaptureOrder(const std::string& order_id);
  // OrderFailed, OrderCancelled: records that the order has ended (a second closure of the same
  // order keeps the first, whose end and reason then stand), then releases what it holds: voids
  // its AUTHORIZED payment ("void:<order_id>"), or refunds all that is left of a CAPTURED or
  // PARTIALLY_REFUNDED one ("refund:<order_id>", reason "order failed: <reason>" or "order
  // cancelled: <reason>"); kNothingToDo for anything else, an order payments never saw included.
  //
  // Why no authorization survives the order, whichever commits first. The closure is recorded
  // under the order's lock, which Authorize takes before anything else and holds, processor call
  // included, until it commits:
  //   - Authorize first: the closing waits for the lock, so when it reads the order's payments
  //     the authorization has committed, and it is voided.
  //   - the closing first: Authorize waits for the lock, then finds the closure and refuses
  //     before asking the issuer.
  // The event consumer calls this inside its own transaction (the repository then runs each step
  // in a savepoint of it), so the lock is held and the closure, the void or refund and the inbox
  // row commit together. Over a pool each step commits on its own; that is correct too (a late
  // Authorize is refused from the closure's commit on, and the release reads after it), and a
  // retry of the whole call releases what a failure between the steps left behind.
  // Capture, Void and Refund, which act on a payment rather than an order, take no order lock.
  OrderPaymentResult CloseOrder(const std::string& order_id, OrderEnd end, const std::string& reason);

  Payment GetPayment(const std::string& id);
  // Newest first.
  std::vector<Payment> ListPayments(const std::string& order_id);

 private:
  // The clock, truncated to what PostgreSQL stores, so a payment reads back exactly as returned.
  Timestamp Now() const;

  // CloseOrder's second step: picks the order's newest payment in a state to release, decides on
  // a read without a lock, and then goes through Void / Refund, which lock the payment and check
  // its state again: should it have moved meanwhile (an operator's RPC), they throw and the
  // caller (the event consumer) rolls back and retries, seeing the new state. CaptureOrder reads
  // and decides the same way.
  OrderPaymentResult ReleaseOrder(const OrderClosure& closure);

  // One change of a stored payment (Capture, Void, Refund): the key it claims, and the kinds of
  // the ledger row and of the event it writes.
  struct Change {
    Operation operation;
    OperationKind ledger;
    PaymentEventKind event;
    const std::string& idempotency_key;
    const std::string& fingerprint;
    const std::string& payment_id;
  };
  // What applying a change moved: the amount for the ledger row and the event, and the ledger's
  // detail, which is also the event's reason (a refund's reason; empty otherwise).
  struct Moved {
    std::int64_t amount_minor = 0;
    std::string detail;
  };
  // The "claim or replay" transaction Capture, Void and Refund share: claims the key (a retry of
  // the first request with it gets that request's payment back, untouched), locks the payment
  // (NotFound when there is none), lets `apply` check its state, call the processor and change
  // it, then saves it, appends the ledger row and writes the event, all in one transaction.
  Payment ChangeOnce(const Change& change, const std::function<Moved(Payment&, Timestamp now)>& apply);

  PaymentRepository& repository_;
  CardProcessor& processor_;
  Clock clock_;
  IdGenerator new_id_;
};

}  // namespace storefront::payments::domain

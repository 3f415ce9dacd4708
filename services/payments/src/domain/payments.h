// The payments use cases: authorize a hold on a card, then capture, void or refund it.
//
// Depends only on the ports in domain/ports.h, PaymentRepository and CardProcessor, so it is unit
// tested with their mocks (domain/mocks.h) and runs in production over PostgreSQL (repo/) and the
// simulated processor (clients/).
//
// Every write is idempotent on its key (scoped to the method): the first request with a key
// records a fingerprint of its non-secret fields and the payment it touched; a retry with the
// same fingerprint gets that payment back without changing anything, and a different request
// with the same key is ALREADY_EXISTS. Errors are not recorded, so a request that failed
// validation or found the payment in the wrong state can be retried with its key. The one
// exception is a processor outage during Authorize: the attempt is recorded as FAILED (the order
// shows it) and the RPC is UNAVAILABLE; a retry with the same key tries the issuer again.
//
// Intent, call, outcome. The processor is never called inside a database transaction. A write
// that needs it commits a ProcessorIntent first (with the key claim and, for Authorize, the
// PENDING payment), then calls the processor with the intent's processor key (ProcessorKey), then
// records the outcome (the payment's change, its ledger row, its event, the intent resolved) in
// one transaction that first checks, under the intent's row lock, that nobody recorded it yet. A
// retry of the request while its intent is pending resumes it with the same processor key; so
// does the sweeper (ResolveDueIntents) for intents left behind by a crash. The processor acts
// once per key and the intent is resolved once, so each operation happens exactly once however
// many of them race.
//
// An order that has ended (checkout's OrderFailed or OrderCancelled) takes no new authorization,
// and whatever it holds is released: see CloseOrder for why no Authorize can slip past.
#pragma once

#include <chrono>
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


// What an order event (ShipmentDispatched, OrderFailed, OrderCancelled) did to the order's payment.
enum class OrderPaymentOutcome {
  kDone,         // captured, voided or refunded now (kBySweeper: recorded, to be carried out)
  kAlreadyDone,  // ShipmentDispatched: the payment was captured before (or since refunded)
  kNothingToDo,  // no payment in a state the event acts on (none at all, declined, voided, ...)
};

struct OrderPaymentResult {
  OrderPaymentOutcome outcome = OrderPaymentOutcome::kNothingToDo;
  std::optional<Payment> payment;      // the payment acted on or found, if any
  std::optional<Operation> operation;  // kDone: capture, void or refund
};

// When the processor is called for a capture, void or refund a use case records.
enum class ProcessorCalls {
  // As soon as the transaction recording the intent commits (the RPCs, the sweeper).
  kAfterCommit,
  // Never by the use case: it only records the intent, due at once, and the sweeper carries it
  // out. For the event handlers, which run inside the consumer's transaction: calling out from
  // it would hold the transaction open over the call, and the intent is not committed until the
  // consumer commits.
  kBySweeper,
};

struct PaymentsOptions {
  ProcessorCalls processor_calls = ProcessorCalls::kAfterCommit;
  // How long an intent belongs to whoever recorded it (or last took it up) before the sweeper
  // may take it over; also how long the sweeper waits before trying again a call the processor
  // could not be reached for. Must exceed the longest processor call (the adapter's timeout): an
  // authorization the sweeper finds the processor never saw is given up as FAILED, so none may
  // still be on its way.
  std::chrono::milliseconds intent_lease = std::chrono::seconds(30);
  // Intents one sweep takes at most.
  int sweep_batch = 100;
  // Card testing (trying stolen numbers one after another until one goes through): a customer
  // whose cards were declined `decline_limit` times within `decline_window` is declined here
  // (kTooManyDeclines), without asking the issuer, until the oldest of those leaves the window.
  // Those declines do not count themselves, so a shopper who stops waits one window at most.
  // 0: no limit (the default here; the service's CARD_DECLINE_LIMIT is 5).
  int decline_limit = 0;
  std::chrono::seconds decline_window = std::chrono::hours(1);
  // For crash-window tests only: runs after the processor answered (or refused), before the
  // outcome is recorded. A test throws from it to "crash" right there; the intent stays pending.
  std::function<void(const ProcessorIntent&)> after_processor_call = {};
};

class Payments {
 public:
  Payments(PaymentRepository& repository, CardProcessor& processor, Clock clock = types::SystemNow,
           IdGenerator new_id = types::NewUuid, PaymentsOptions options = {})
      : repository_(repository),
        processor_(processor),
        clock_(std::move(clock)),
        new_id_(std::move(new_id)),
        options_(std::move(options)) {}

  // A decline (by the issuer, or here for an expired card) is a DECLINED payment, not an error.
  // Throws InvalidArgument, AlreadyExists (key reused), Unavailable (processor outage, or an
  // answer lost on the way: the payment stays PENDING until the sweeper settles it), and
  // FailedPrecondition, without asking the issuer, when the order has already ended; a retry of
  // a request that was answered before the order ended still gets that answer back, and a retry
  // of one still PENDING asks the issuer again with the same processor key. Its first
  // transaction (closure check, key, PENDING payment, intent) and the one recording the answer
  // each start with the order's lock (PaymentTransaction::LockOrder); the call is between them.
  // Always calls the processor itself (the card is never stored for a sweeper to use).
  Payment Authorize(const AuthorizeRequest& request);
  // AUTHORIZED -> CAPTURED; the uncaptured remainder of the hold is released.
  Payment Capture(const CaptureRequest& request);
  // AUTHORIZED -> VOIDED.
  Payment Void(const VoidRequest& request);
  // CAPTURED or PARTIALLY_REFUNDED -> PARTIALLY_REFUNDED, or REFUNDED once all is given back.
  // A refund still being carried out counts as given back.
  Payment Refund(const RefundRequest& request);
  // Capture, Void and Refund throw Unavailable when another capture or void of the payment is
  // still being carried out, or when the processor is down or its answer was lost (the intent
  // stays pending: the same request, or the sweeper, completes it), and FailedPrecondition when
  // the processor refused (and again, with the same words, for a retry of that request). With
  // ProcessorCalls::kBySweeper they return the payment unchanged once the intent is recorded.

  // ShipmentDispatched: captures the order's AUTHORIZED payment in full, with the idempotency
  // key "capture:<order_id>". kAlreadyDone when it was captured already; kNothingToDo when the
  // order has no authorized or captured payment; Unavailable while its authorization is PENDING.
  OrderPaymentResult CaptureOrder(const std::string& order_id);
  // OrderFailed, OrderCancelled: records that the order has ended (a second closure of the same
  // order keeps the first, whose end and reason then stand), then releases what it holds: voids
  // its AUTHORIZED payment ("void:<order_id>"), or refunds all that is left of a CAPTURED or
  // PARTIALLY_REFUNDED one ("refund:<order_id>", reason "order failed: <reason>" or "order
  // cancelled: <reason>"); kNothingToDo for anything else, an order payments never saw included.
  //
  // Why no authorization survives the order. The closure is recorded under the order's lock,
  // which Authorize takes in both of its transactions, and so does the recording of an
  // authorization's answer, by whoever records it (the request, its retry, the sweeper):
  //   - the closing before Authorize's first transaction: Authorize waits for the lock, then
  //     finds the closure and refuses before asking the issuer;
  //   - the closing between the two (the issuer being asked, or the answer lost in a crash): the
  //     payment is PENDING, so the closing leaves it; the transaction recording the approval
  //     takes the lock after the closure committed, finds it, and records a void of the hold
  //     with the key "void:<order_id>" in that same transaction, which is then carried out;
  //   - the closing after the answer was recorded: the authorization is AUTHORIZED and the
  //     closing voids it with "void:<order_id>".
  // Both sides use the same key, so whichever records the void, a second one replays it; the
  // processor key ("<payment_id>:void") makes the processor release the hold once. This is why
  // the closing does not wait for a pending authorization: the side that commits second always
  // sees the other, so exactly one of them records the void, and nobody waits on the processor.
  // The event consumer calls this inside its own transaction (the repository then runs each step
  // in a savepoint of it), so the lock is held and the closure, the recorded void or refund and
  // the inbox row commit together; its Payments uses ProcessorCalls::kBySweeper, so the processor
  // is called after that commit. Over a pool each step commits on its own; that is correct too.
  // Capture, Void and Refund, which act on a payment rather than an order, take no order lock.
  OrderPaymentResult CloseOrder(const std::string& order_id, OrderEnd end, const std::string& reason);

  // Unavailable for a PENDING payment: its authorization is still being resolved.
  Payment GetPayment(const std::string& id);
  // Newest first. Unavailable while any of the order's authorizations is PENDING, so that
  // checkout's recovery, which reads "no AUTHORIZED or CAPTURED payment" as "never authorized"
  // and fails the order, asks again later instead of concluding too early.
  std::vector<Payment> ListPayments(const std::string& order_id);

  // The sweeper's pass (a background::PeriodicTask in the App): takes the pending intents whose
  // lease ran out, asks the processor what it did with each key, and completes each as the
  // request would have: an authorization approved or declined is recorded (and the closure rule
  // applies: voided at once if the order ended meanwhile); one the processor never saw is given
  // up as FAILED (the card is not stored to ask again with; the same request may try again, as
  // after an outage); a capture, void or refund it did is recorded, one it never saw is sent
  // again with the same key (it was decided under the state checks and the key makes it safe),
  // one it refused is marked failed. An intent it cannot settle (the processor down) waits for
  // the next lease. Returns how many intents it resolved.
  int ResolveDueIntents();

 private:
  // The clock, truncated to what PostgreSQL stores, so a payment reads back exactly as returned.
  Timestamp Now() const;
  Timestamp LeaseEnd(Timestamp now) const;

  // CloseOrder's second step: picks the order's newest payment in a state to release, decides on
  // a read without a lock, and then goes through Void / Refund, which lock the payment and check
  // its state again: should it have moved meanwhile (an operator's RPC), they throw and the
  // caller (the event consumer) rolls back and retries, seeing the new state. CaptureOrder reads
  // and decides the same way. A PENDING authorization is left alone: the transaction recording
  // its answer finds the closure and voids it (CloseOrder).
  OrderPaymentResult ReleaseOrder(const OrderClosure& closure);

  // One change of a stored payment (Capture, Void, Refund): the key it claims, and the kinds of
  // the ledger row and of the event its outcome writes.
  struct Change {
    Operation operation;
    OperationKind ledger;
    PaymentEventKind event;
    const std::string& idempotency_key;
    const std::string& fingerprint;
    const std::string& payment_id;
  };
  // What a change will move: the amount for the intent, the ledger row and the event, and the
  // ledger's detail, which is also the event's reason (a refund's reason; empty otherwise).
  struct Moved {
    std::int64_t amount_minor = 0;
    std::string detail;
  };
  // Checks the payment's state for a change and says what it will move; throws to refuse.
  // `in_flight_refunds`: the amount of the payment's refunds still being carried out.
  using Plan = std::function<Moved(const Payment& payment, std::int64_t in_flight_refunds)>;
  // Void's: only an AUTHORIZED payment, all of its hold.
  static Moved PlanVoid(const Payment& payment, std::int64_t in_flight_refunds);

  // What the first transaction of a change left: the payment (locked, as it was) and the intent
  // to carry out, unless this was a replay of a request already resolved.
  struct Begun {
    Payment payment;
    std::optional<ProcessorIntent> intent;
  };
  // Inside a transaction: claims the key (a retry of the first request with it gets that
  // request's payment back, untouched, or resumes its pending intent), locks the payment
  // (NotFound when there is none), refuses while a capture or void of it is pending, lets `plan`
  // check its state, and records the intent. Shared by Capture, Void, Refund and the void the
  // closure rule records with an authorization's approval.
  Begun BeginChange(PaymentTransaction& tx, const Change& change, const Plan& plan, const std::string& intent_id,
                    Timestamp now);
  // A change from start to finish: BeginChange in its own transaction, then (kAfterCommit) the
  // call and its outcome.
  Payment ChangeOnce(const Change& change, const Plan& plan);

  // How the processor answered one intent's call, as recorded.
  struct Answer {
    enum class Kind {
      kSucceeded,  // approved (with `reference`), captured, voided, refunded
      kDeclined,   // the issuer declined, or the processor refused; `code` says why
      kNotTaken,   // authorize only: the processor never took it (an outage, or never seen)
    };
    Kind kind = Kind::kSucceeded;
    std::string reference;
    std::string code;
  };
  // What recording an answer left: the payment as it is now, the intent as resolved (by this
  // call or before it), and a void the closure rule recorded with an approval, to carry out.
  struct Recorded {
    Payment payment;
    ProcessorIntent intent;
    std::optional<ProcessorIntent> follow_up;
  };
  // Calls the processor for the intent (outside any transaction), then Finish. `card`: Authorize
  // only. A processor that is down or an answer that is lost leaves the intent pending (the
  // attempt's error noted) and throws Unavailable, except for Authorize, whose outage is recorded
  // as FAILED.
  Recorded Perform(const ProcessorIntent& intent, const std::string& reference, const Card* card);
  // RecordOutcome, then carries out the void it may have recorded.
  Recorded Finish(const ProcessorIntent& intent, const Answer& answer);
  // The outcome transaction: under the order's lock for an authorization, the payment's and the
  // intent's row locks, applies the answer once (nothing when the intent was resolved already),
  // with its ledger row and event, and the closure rule for an approval.
  Recorded RecordOutcome(const ProcessorIntent& intent, const Answer& answer);
  // Notes a failed attempt on a still pending intent and leaves it for the next lease; never
  // throws (the intent is pending either way).
  void RecordAttempt(const ProcessorIntent& intent, const std::string& error);
  // One intent of the sweep; true when it was resolved.
  bool Resolve(const ProcessorIntent& intent);

  PaymentRepository& repository_;
  CardProcessor& processor_;
  Clock clock_;
  IdGenerator new_id_;
  PaymentsOptions options_;
};

}  // namespace storefront::payments::domain

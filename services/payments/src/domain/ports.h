// Every interface the payments use cases need: the payment store (PostgreSQL in production,
// repo/pg_payment_repository), the card network (clients/simulated_card_processor; a real gateway
// would be another adapter) and the id generator (the clock is types::Clock, in payment.h). The
// domain sees only these, so it is unit tested with their mocks (domain/mocks.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/card.h"
#include "domain/payment.h"
#include "shared/errors/errors.h"

namespace storefront::payments::domain {

// --- Persistence ------------------------------------------------------------------------------
// A write that calls the processor runs in two transactions with the call between them, outside
// both: the first claims the request's idempotency key and records the intent (ProcessorIntent);
// the second records the outcome and resolves the intent. A concurrent request with the same key
// waits on the key, then finds the intent. Authorize, the recording of its outcome and the
// closing of an order first take the order's lock, so they never overlap for one order.
//
// Lock order: the order's lock, then an idempotency key, then the payment, then its intents. One
// exception: the void the closure rule records with an approval claims its key after the payment
// (Payments::RecordOutcome); only a Void request naming a payment still PENDING could deadlock
// with it, and PostgreSQL would then roll one back (the intent stays pending, the sweeper
// records it later).

// The operations available inside one transaction.
class PaymentTransaction {
 public:
  virtual ~PaymentTransaction() = default;
  // Waits until no other transaction holds this order's lock, then holds it until this
  // transaction ends (commit or rollback; there is no early release).
  virtual void LockOrder(const std::string& order_id) = 0;
  // The record that the order has ended; nullopt while it has not.
  virtual std::optional<OrderClosure> FindClosure(const std::string& order_id) = 0;
  // How many of the customer's payments were declined (by the issuer, or here for an expired card)
  // at or after `since`; those declined here for too many declines are not counted.
  virtual int CountRecentDeclines(const std::string& customer_id, Timestamp since) = 0;
  // Records `closure` and returns nullopt when the order had not ended before; otherwise keeps
  // the record already there and returns it.
  virtual std::optional<OrderClosure> RecordClosure(const OrderClosure& closure) = 0;
  // Records `record` and returns nullopt when its (operation, key) is new; otherwise returns
  // the record already there. Either way the key stays locked until the transaction ends.
  virtual std::optional<IdempotencyRecord> ClaimKey(const IdempotencyRecord& record) = 0;
  // Reads a payment and locks it until the transaction ends; nullopt when there is none.
  virtual std::optional<Payment> LockPayment(const std::string& id) = 0;
  // Inserts the payment, or replaces the stored one with the same id.
  virtual void Save(const Payment& payment) = 0;
  // Appends to the ledger.
  virtual void Append(const PaymentOperation& operation) = 0;
  // Writes the event announcing this transaction's change to the outbox; it is published if and
  // only if the transaction commits.
  virtual void Publish(const PaymentEvent& event) = 0;

  // The request's intent (operation and its idempotency key): the pending one if there is one,
  // else the newest; nullopt when the request never called the processor.
  virtual std::optional<ProcessorIntent> FindIntent(Operation operation, const std::string& idempotency_key) = 0;
  // Reads an intent and locks it until the transaction ends; lock its payment first.
  virtual std::optional<ProcessorIntent> LockIntent(const std::string& id) = 0;
  // The payment's pending intents, oldest first.
  virtual std::vector<ProcessorIntent> PendingIntents(const std::string& payment_id) = 0;
  // Inserts the intent, or replaces the stored one with the same id.
  virtual void SaveIntent(const ProcessorIntent& intent) = 0;
};

class PaymentRepository {
 public:
  virtual ~PaymentRepository() = default;
  // Runs `work` in one transaction and commits it when `work` returns; an exception rolls
  // everything back (the key claim included) and propagates. `work` may run twice when the
  // database connection breaks, so everything it calls must be safe to repeat.
  virtual void InTransaction(const std::function<void(PaymentTransaction&)>& work) = 0;
  virtual std::optional<Payment> Get(const std::string& id) = 0;
  // Newest first.
  virtual std::vector<Payment> ListByOrder(const std::string& order_id) = 0;
  // The sweeper's claim, in a transaction of its own: up to `limit` pending intents due by `now`
  // (next_attempt_at <= now) that no other transaction holds, oldest due first; each gets an
  // attempt counted and next_attempt_at moved to `lease_until`, so other sweepers leave it alone
  // meanwhile. Correctness never rests on this lease (the processor key and the intent's state
  // do); it only saves duplicate work.
  virtual std::vector<ProcessorIntent> TakeDueIntents(Timestamp now, Timestamp lease_until, int limit) = 0;
};

// --- The card network -------------------------------------------------------------------------

struct AuthorizationResult {
  bool approved = false;
  std::string reference;     // the processor's id for the hold, when approved
  std::string decline_code;  // when not approved: "card_declined", "insufficient_funds", ...
};

// What the processor did with a key, as it answers when asked afterwards (CardProcessor::Outcome).
struct ProcessorOutcome {
  enum class Result {
    kUnknown,    // it never received the key (or keeps no record of it)
    kSucceeded,  // it did it: placed the hold (with `reference`), captured, voided, refunded
    kDeclined,   // it answered no: an issuer's decline, or a refused capture, void or refund
  };
  Result result = Result::kUnknown;
  std::string reference;     // authorize, when it succeeded
  std::string decline_code;  // when declined
  bool operator==(const ProcessorOutcome&) const = default;
};

// The processor answered no for good to a capture, void or refund (a hold it does not know, one
// that expired): the same key gets the same answer.
class ProcessorRefused : public FailedPrecondition {
 public:
  explicit ProcessorRefused(std::string code)
      : FailedPrecondition("the card processor refused it (" + code + ")"), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// Every call carries the processor idempotency key the domain derives for the operation
// (ProcessorKey): the processor acts at most once per key and answers a key it has seen with its
// first outcome, so a call may be repeated (a retry, a replay, the sweeper) without acting twice.
//
// How a call ends: a result (a hold, or a decline); storefront::Unavailable when the processor did
// not take the request (nothing happened for the key: safe to send it again); ProcessorRefused
// (capture, void, refund) when it refused for good; any other exception when the outcome is
// unknown (a timeout after sending, a dropped connection), which Outcome(key) settles later.
class CardProcessor {
 public:
  virtual ~CardProcessor() = default;
  // Asks the issuer to hold `amount` on the card. `card.number` holds digits only.
  virtual AuthorizationResult Authorize(const std::string& key, const Card& card, const Money& amount) = 0;
  // The rest act on an approved hold, named by the reference Authorize returned.
  virtual void Capture(const std::string& key, const std::string& reference, const Money& amount) = 0;
  virtual void Void(const std::string& key, const std::string& reference) = 0;
  virtual void Refund(const std::string& key, const std::string& reference, const Money& amount) = 0;
  // What the processor did with `key`, for the sweeper; throws storefront::Unavailable when it
  // cannot be asked.
  virtual ProcessorOutcome Outcome(const std::string& key) = 0;
};

// --- Ids --------------------------------------------------------------------------------------

// New payment ids; types::NewUuid in production, a fixed sequence in tests.
using IdGenerator = std::function<std::string()>;

}  // namespace storefront::payments::domain

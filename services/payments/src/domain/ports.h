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

namespace storefront::payments::domain {

// --- Persistence ------------------------------------------------------------------------------
// Every write runs in one transaction that first claims the request's idempotency key, so the
// domain decides, calls the processor and records the outcome while it holds the key: a
// concurrent request with the same key waits, then sees the result. Authorize and the closing of
// an order first take the order's lock, so they never overlap for one order.

// The operations available inside one transaction.
class PaymentTransaction {
 public:
  virtual ~PaymentTransaction() = default;
  // Waits until no other transaction holds this order's lock, then holds it until this
  // transaction ends (commit or rollback; there is no early release).
  virtual void LockOrder(const std::string& order_id) = 0;
  // The record that the order has ended; nullopt while it has not.
  virtual std::optional<OrderClosure> FindClosure(const std::string& order_id) = 0;
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
};

// --- The card network -------------------------------------------------------------------------

struct AuthorizationResult {
  bool approved = false;
  std::string reference;     // the processor's id for the hold, when approved
  std::string decline_code;  // when not approved: "card_declined", "insufficient_funds", ...
};

class CardProcessor {
 public:
  virtual ~CardProcessor() = default;
  // Asks the issuer to hold `amount` on the card. A decline is a result; an outage throws
  // storefront::Unavailable. `payment_id` is the processor-side idempotency key: asking again
  // for the same payment must not place a second hold. `card.number` holds digits only.
  virtual AuthorizationResult Authorize(const std::string& payment_id, const Card& card, const Money& amount) = 0;
  // The rest act on an approved hold; each throws storefront::Unavailable on an outage.
  virtual void Capture(const std::string& reference, const Money& amount) = 0;
  virtual void Void(const std::string& reference) = 0;
  virtual void Refund(const std::string& reference, const Money& amount) = 0;
};

// --- Ids --------------------------------------------------------------------------------------

// New payment ids; types::NewUuid in production, a fixed sequence in tests.
using IdGenerator = std::function<std::string()>;

}  // namespace storefront::payments::domain

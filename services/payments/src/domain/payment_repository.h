// The persistence port. Every write runs in one transaction that first claims the request's
// idempotency key, so the domain decides, calls the processor and records the outcome while
// it holds the key: a concurrent request with the same key waits, then sees the result.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/payment.h"

namespace storefront::payments::domain {

// The operations available inside one transaction.
class PaymentTransaction {
 public:
  virtual ~PaymentTransaction() = default;
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

}  // namespace storefront::payments::domain

// The payments service's PostgreSQL repository: SQL for the payments schema. The use cases run
// their steps in transactions (InTransaction): the first claims the idempotency key (after the
// order's advisory lock, for Authorize and the closing of an order) and records the processor
// intent; the one recording the outcome writes the event announcing the change (PaymentAuthorized,
// PaymentFailed, PaymentCaptured, PaymentVoided, PaymentRefunded) to payments.outbox with it.
// Ended orders are rows of order_closures; calls to the processor, of processor_intents.
#pragma once

#include <pqxx/pqxx>

#include <vector>

#include "domain/ports.h"
#include "shared/db/pool.h"
#include "shared/db/session.h"

namespace storefront::payments::repo {

class PgPaymentRepository final : public domain::PaymentRepository {
 public:
  // Each use case runs in a transaction of its own from `pool`.
  explicit PgPaymentRepository(db::Pool& pool) : session_(pool) {}
  // Everything runs inside `txn`, which the caller commits: how the event consumer applies a use
  // case in the transaction that also records the event in its inbox. The connection must have
  // been prepared with Prepare (any connection of the service's pool is).
  explicit PgPaymentRepository(pqxx::work& txn) : session_(txn) {}

  // Registers every statement as a prepared statement on a new connection (pass it to the Pool).
  static void Prepare(pqxx::connection& connection);

  void InTransaction(const std::function<void(domain::PaymentTransaction&)>& work) override;
  std::optional<domain::Payment> Get(const std::string& id) override;
  std::vector<domain::Payment> ListByOrder(const std::string& order_id) override;
  std::vector<domain::ProcessorIntent> TakeDueIntents(domain::Timestamp now, domain::Timestamp lease_until,
                                                      int limit) override;

  // The audit ledger of one payment, oldest first. Not a use case: for operators and tests.
  std::vector<domain::PaymentOperation> Operations(const std::string& payment_id);
  // Every processor intent of one payment, oldest first. For operators and tests too.
  std::vector<domain::ProcessorIntent> Intents(const std::string& payment_id);

 private:
  db::Session session_;
};

}  // namespace storefront::payments::repo

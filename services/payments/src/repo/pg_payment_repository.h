// The payments service's PostgreSQL repository: SQL for the payments schema. Each use case is
// one transaction (InTransaction) that begins by claiming its idempotency key.
#pragma once

#include <vector>

#include "domain/payment_repository.h"
#include "shared/db/pool.h"

namespace storefront::payments::repo {

class PgPaymentRepository final : public domain::PaymentRepository {
 public:
  explicit PgPaymentRepository(db::Pool& pool) : pool_(pool) {}

  // Registers every statement as a prepared statement on a new connection (pass it to the Pool).
  static void Prepare(pqxx::connection& connection);

  void InTransaction(const std::function<void(domain::PaymentTransaction&)>& work) override;
  std::optional<domain::Payment> Get(const std::string& id) override;
  std::vector<domain::Payment> ListByOrder(const std::string& order_id) override;

  // The audit ledger of one payment, oldest first. Not a use case: for operators and tests.
  std::vector<domain::PaymentOperation> Operations(const std::string& payment_id);

 private:
  db::Pool& pool_;
};

}  // namespace storefront::payments::repo

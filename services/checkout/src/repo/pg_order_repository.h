// The checkout's PostgreSQL store: orders with their lines, saga steps and timeline.
#pragma once

#include "domain/ports.h"
#include "shared/db/pool.h"

namespace storefront::checkout::repo {

class PgOrderRepository final : public domain::OrderRepository {
 public:
  explicit PgOrderRepository(db::Pool& pool) : pool_(pool) {}

  std::string Create(const domain::Order& order, std::chrono::milliseconds lease) override;
  void Save(const domain::Order& order, std::chrono::milliseconds lease) override;
  std::optional<domain::Order> BeginCancel(const std::string& order_id, const std::string& reason,
                                           std::chrono::milliseconds lease) override;
  void RecordRefund(const std::string& order_id, domain::PaymentStatus payment_status, bool fully_refunded,
                    const std::string& note) override;
  std::optional<domain::Order> Get(const std::string& order_id) override;
  std::optional<domain::Order> FindByIdempotencyKey(const std::string& customer_id, const std::string& key) override;
  bool IsLeased(const std::string& order_id) override;
  std::optional<domain::Order> ClaimStale(std::chrono::milliseconds lease) override;
  domain::OrderPage List(const domain::OrderFilter& filter) override;
  std::vector<domain::SalesBucket> Sales(const domain::SalesQuery& query) override;

 private:
  db::Pool& pool_;
};

}  // namespace storefront::checkout::repo

// Shipping's PostgreSQL repository: SQL for the shipping schema, one transaction per use case,
// and the outbox: every change that shipping announces (ShipmentCreated, ShipmentDispatched,
// ShipmentDelivered, ShipmentCancelled) is appended to shipping.outbox in the transaction that
// stores it, so the event exists if and only if the change committed.
#pragma once

#include <pqxx/pqxx>

#include "domain/shipping.h"
#include "shared/db/pool.h"
#include "shared/db/session.h"

namespace storefront::shipping::repo {

class PgShipmentRepository final : public domain::ShipmentRepository {
 public:
  // Each call runs in a transaction of its own from `pool`.
  explicit PgShipmentRepository(db::Pool& pool) : pool_(&pool), session_(pool) {}
  // Each call runs inside `txn`, which the caller commits: how the event consumer applies a use
  // case in the transaction that also records the event in its inbox. The connection must have
  // been prepared with Prepare (any connection of the service's pool is).
  explicit PgShipmentRepository(pqxx::work& txn) : txn_(&txn), session_(txn) {}

  // Registers every statement as a prepared statement on a new connection (pass it to the Pool).
  static void Prepare(pqxx::connection& connection);

  CreateResult Create(const domain::Shipment& shipment) override;
  std::optional<domain::Shipment> Get(const std::string& id) override;
  std::optional<domain::Shipment> GetByOrder(const std::string& order_id) override;
  domain::ShipmentPage List(const domain::ShipmentQuery& query) override;
  std::optional<domain::Shipment> Update(const std::string& id, const Change& change) override;
  std::optional<domain::Shipment> UpdateByOrder(const std::string& order_id, const Change& change) override;
  std::optional<domain::Shipment> UpdateOneDue(domain::Timestamp now, const Change& change) override;
  // The lock is pg_advisory_xact_lock(hashtext('shipping.order:' || order_id)): released by
  // PostgreSQL when the transaction ends, however it ends, so it cannot leak.
  void WithOrderLock(const std::string& order_id, const OrderWork& work) override;
  bool RecordClosure(const domain::OrderClosure& closure) override;
  std::optional<domain::OrderClosure> FindClosure(const std::string& order_id) override;

 private:
  // One of the two is set: where WithOrderLock opens its transaction, or the caller's it runs in.
  db::Pool* pool_ = nullptr;
  pqxx::work* txn_ = nullptr;
  db::Session session_;
};

}  // namespace storefront::shipping::repo

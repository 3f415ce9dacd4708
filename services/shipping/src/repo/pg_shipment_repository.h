// Shipping's PostgreSQL repository: SQL for the shipping schema, one transaction per use case.
#pragma once

#include "domain/shipping.h"
#include "shared/db/pool.h"

namespace storefront::shipping::repo {

class PgShipmentRepository final : public domain::ShipmentRepository {
 public:
  explicit PgShipmentRepository(db::Pool& pool) : pool_(pool) {}

  // Registers every statement as a prepared statement on a new connection (pass it to the Pool).
  static void Prepare(pqxx::connection& connection);

  CreateResult Create(const domain::Shipment& shipment) override;
  std::optional<domain::Shipment> Get(const std::string& id) override;
  std::optional<domain::Shipment> GetByOrder(const std::string& order_id) override;
  domain::ShipmentPage List(const domain::ShipmentQuery& query) override;
  std::optional<domain::Shipment> Update(const std::string& id, const Change& change) override;

 private:
  db::Pool& pool_;
};

}  // namespace storefront::shipping::repo

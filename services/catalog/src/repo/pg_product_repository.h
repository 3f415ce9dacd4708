// The catalog's PostgreSQL repository: SQL for the catalog schema, one transaction per use case.
// Create and Update also write the events announcing the change (ProductCreated, ProductChanged,
// ProductDeactivated) to catalog.outbox in that same transaction, so an event exists if and only
// if its change committed.
#pragma once

#include "domain/catalog.h"
#include "shared/db/pool.h"

namespace storefront::catalog::repo {

class PgProductRepository final : public domain::ProductRepository {
 public:
  explicit PgProductRepository(db::Pool& pool) : pool_(pool) {}

  // Registers the read queries as prepared statements on a new connection (pass it to the
  // Pool): the hot browse and search paths are then parsed and planned once per connection.
  static void Prepare(pqxx::connection& connection);

  domain::ProductPage List(const domain::ProductQuery& query) override;
  std::optional<domain::Product> Get(const std::string& id) override;
  std::vector<domain::Product> BatchGet(const std::vector<std::string>& ids) override;
  std::vector<domain::Category> Categories() override;
  bool CategoryExists(const std::string& id) override;
  domain::Product Create(const domain::NewProduct& product) override;
  std::optional<domain::Product> Update(const std::string& id, const domain::ProductPatch& patch) override;

 private:
  db::Pool& pool_;
};

}  // namespace storefront::catalog::repo

// The cart's PostgreSQL repository: SQL for the cart schema, one transaction per use case.
//
// Every write first locks the cart's row in `carts` (creating it when AddItem needs it), so the
// writes to one cart run one after another, and the rules that span lines (at most 50 lines, one
// currency) are checked against contents no concurrent call can change. Writes to different
// carts never wait for each other.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "domain/carts.h"
#include "shared/db/pool.h"

namespace storefront::cart::repo {

class PgCartRepository final : public domain::CartRepository {
 public:
  explicit PgCartRepository(db::Pool& pool) : pool_(pool) {}

  // Registers the statements as prepared statements on a new connection (pass it to the Pool).
  static void Prepare(pqxx::connection& connection);

  domain::Cart Get(const std::string& customer_id) override;
  domain::AddOutcome AddItem(const std::string& customer_id, const domain::LineSnapshot& line, int quantity) override;
  std::optional<domain::Cart> SetQuantity(const std::string& customer_id, const std::string& product_id,
                                          int quantity) override;
  domain::Cart RemoveItem(const std::string& customer_id, const std::string& product_id) override;
  domain::Cart Clear(const std::string& customer_id) override;

 private:
  db::Pool& pool_;
};

// On a transaction someone else owns (the event consumer's): takes the cart's lock and removes
// the lines of those products (lower-case UUIDs), leaving every other line. Removing what is not
// there changes nothing, not even updated_at. Returns how many lines went. The connection must
// have been through PgCartRepository::Prepare (every pooled one has).
int RemoveProductsIn(pqxx::work& txn, const std::string& customer_id, const std::vector<std::string>& product_ids);

}  // namespace storefront::cart::repo

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

#include "domain/ports.h"
#include "shared/db/pool.h"
#include "shared/db/session.h"

namespace storefront::cart::repo {

class PgCartRepository final : public domain::CartRepository {
 public:
  // Each call runs in a transaction of its own from `pool`.
  explicit PgCartRepository(db::Pool& pool) : session_(pool) {}
  // Each call runs inside `txn`, which the caller commits: how the event consumer applies a use
  // case in the transaction that also records the event in its inbox. The connection must have
  // been prepared with Prepare (any connection of the service's pool is).
  explicit PgCartRepository(pqxx::work& txn) : session_(txn) {}

  // Registers the statements as prepared statements on a new connection (pass it to the Pool).
  static void Prepare(pqxx::connection& connection);

  domain::Cart Get(const std::string& customer_id) override;
  domain::AddOutcome AddItem(const std::string& customer_id, const domain::LineSnapshot& line, int quantity) override;
  std::optional<domain::Cart> SetQuantity(const std::string& customer_id, const std::string& product_id,
                                          int quantity) override;
  domain::Cart RemoveItem(const std::string& customer_id, const std::string& product_id) override;
  domain::Cart Clear(const std::string& customer_id) override;
  int RemoveProducts(const std::string& customer_id, const std::vector<std::string>& product_ids,
                     std::optional<types::Timestamp> version) override;

 private:
  db::Session session_;
};

}  // namespace storefront::cart::repo

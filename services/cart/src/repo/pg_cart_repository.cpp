#include "repo/pg_cart_repository.h"

#include <pqxx/pqxx>

#include "shared/db/fields.h"
#include "shared/types/time.h"

namespace storefront::cart::repo {
namespace {

using domain::AddResult;
using domain::Cart;

// One statement reads the cart row and its lines together, so a read outside a transaction
// still sees one consistent state. No row at all means a cart never written.
const std::string kGetSql =
    "SELECT " STOREFRONT_SQL_MICROS("c.updated_at") ","
    "       i.product_id::text, i.sku, i.name, i.quantity, i.unit_price_minor, i.currency,"
    "       " STOREFRONT_SQL_MICROS("i.added_at")
    " FROM carts c LEFT JOIN cart_items i ON i.customer_id = c.customer_id"
    " WHERE c.customer_id = $1"
    " ORDER BY i.line_no";

const std::string kCreateCartSql = "INSERT INTO carts (customer_id) VALUES ($1) ON CONFLICT (customer_id) DO NOTHING";
// The per-cart lock every write takes first.
const std::string kLockCartSql = "SELECT 1 FROM carts WHERE customer_id = $1 FOR UPDATE";

// A changed line's changed_at ($1 the customer): later than the cart's version as it stands. It
// is read under the cart lock, which every write takes first, so a checkout that read the cart
// before this write sees the line as changed since, whatever the clock did. kTouchSql then moves
// the version past it.
const std::string kNextVersionSql =
    "(SELECT greatest(c.updated_at + interval '1 microsecond', clock_timestamp()) FROM carts c"
    " WHERE c.customer_id = $1)";

// Creates the line, or adds to it. An existing line keeps its sku, name and price; the WHERE
// refuses a sum above 99 (no row comes back) instead of failing the CHECK and the transaction.
// The sum is computed by PostgreSQL on the row it has locked, so two concurrent adds of the same
// product would both count even without the cart lock (changed_at would not: it needs the lock).
const std::string kAddLineSql =
    "INSERT INTO cart_items AS i"
    " (customer_id, product_id, sku, name, quantity, unit_price_minor, currency, added_at, changed_at)"
    " VALUES ($1, $2::uuid, $3, $4, $5::int, $6::bigint, $7, clock_timestamp(), " + kNextVersionSql + ")"
    " ON CONFLICT (customer_id, product_id) DO UPDATE"
    "   SET quantity = i.quantity + EXCLUDED.quantity, changed_at = EXCLUDED.changed_at"
    "   WHERE i.quantity + EXCLUDED.quantity <= " + std::to_string(domain::kMaxQuantity) +
    " RETURNING i.quantity";

const std::string kSetQuantitySql = "UPDATE cart_items SET quantity = $3::int, changed_at = " + kNextVersionSql +
                                    " WHERE customer_id = $1 AND product_id = $2::uuid";
const std::string kRemoveLineSql = "DELETE FROM cart_items WHERE customer_id = $1 AND product_id = $2::uuid";
const std::string kClearSql = "DELETE FROM cart_items WHERE customer_id = $1";
// $2 is an array literal of validated UUIDs: one statement for the whole order. $3, the version
// of the cart the order was priced from (microseconds), or NULL: with it, only lines unchanged
// since then.
const std::string kRemoveLinesSql =
    "DELETE FROM cart_items WHERE customer_id = $1 AND product_id = ANY($2::uuid[])"
    " AND ($3::bigint IS NULL OR changed_at <= " STOREFRONT_SQL_TIMESTAMP(3) ")";
// The cart's new version (updated_at): past the old one and every line's changed_at.
// clock_timestamp(), not now(): now() is when the transaction began, possibly before it waited
// for the cart lock, which would let a later write carry an earlier time.
const std::string kTouchSql =
    "UPDATE carts SET updated_at = greatest(updated_at + interval '1 microsecond', clock_timestamp(),"
    " (SELECT max(i.changed_at) FROM cart_items i WHERE i.customer_id = $1)) WHERE customer_id = $1";

Cart ReadCart(pqxx::transaction_base& txn, const std::string& customer_id) {
  Cart cart;
  cart.customer_id = customer_id;
  for (const auto& row : txn.exec_prepared("cart_get", customer_id)) {
    cart.updated_at = db::TimeField(row[0]);
    if (row[1].is_null()) continue;  // a cart row without lines
    domain::CartItem item;
    item.product_id = row[1].as<std::string>();
    item.sku = row[2].as<std::string>();
    item.name = row[3].as<std::string>();
    item.quantity = row[4].as<int>();
    item.unit_price = {row[5].as<std::int64_t>(), row[6].as<std::string>()};
    item.added_at = db::TimeField(row[7]);
    cart.items.push_back(std::move(item));
  }
  return cart;
}

// Takes the cart's lock; false when the customer has no cart row (so nothing to change).
bool LockCart(pqxx::transaction_base& txn, const std::string& customer_id) {
  return !txn.exec_prepared("cart_lock", customer_id).empty();
}

}  // namespace

void PgCartRepository::Prepare(pqxx::connection& connection) {
  connection.prepare("cart_get", kGetSql);
  connection.prepare("cart_create", kCreateCartSql);
  connection.prepare("cart_lock", kLockCartSql);
  connection.prepare("cart_add_line", kAddLineSql);
  connection.prepare("cart_set_quantity", kSetQuantitySql);
  connection.prepare("cart_remove_line", kRemoveLineSql);
  connection.prepare("cart_clear", kClearSql);
  connection.prepare("cart_remove_lines", kRemoveLinesSql);
  connection.prepare("cart_touch", kTouchSql);
}

Cart PgCartRepository::Get(const std::string& customer_id) {
  return session_.Read([&](pqxx::transaction_base& txn) { return ReadCart(txn, customer_id); });
}

domain::AddOutcome PgCartRepository::AddItem(const std::string& customer_id, const domain::LineSnapshot& line,
                                             int quantity) {
  return session_.Write([&](pqxx::transaction_base& txn) -> domain::AddOutcome {
    txn.exec_prepared("cart_create", customer_id);
    LockCart(txn, customer_id);
    Cart cart = ReadCart(txn, customer_id);
    if (cart.Find(line.product_id) == nullptr) {
      if (cart.items.size() >= domain::kMaxLines) return {AddResult::kLineLimit, std::move(cart)};
      if (!cart.items.empty() && cart.Currency() != line.unit_price.currency) {
        return {AddResult::kCurrencyMismatch, std::move(cart)};
      }
    }
    auto added = txn.exec_prepared("cart_add_line", customer_id, line.product_id, line.sku, line.name, quantity,
                                   line.unit_price.amount_minor, line.unit_price.currency);
    if (added.empty()) return {AddResult::kQuantityLimit, std::move(cart)};
    txn.exec_prepared("cart_touch", customer_id);
    return {AddResult::kAdded, ReadCart(txn, customer_id)};
  });
}

std::optional<Cart> PgCartRepository::SetQuantity(const std::string& customer_id, const std::string& product_id,
                                                  int quantity) {
  return session_.Write([&](pqxx::transaction_base& txn) -> std::optional<Cart> {
    if (!LockCart(txn, customer_id)) return std::nullopt;
    if (txn.exec_prepared("cart_set_quantity", customer_id, product_id, quantity).affected_rows() == 0) {
      return std::nullopt;
    }
    txn.exec_prepared("cart_touch", customer_id);
    return ReadCart(txn, customer_id);
  });
}

// Removing what is not there changes nothing, not even updated_at: a retried call is harmless.
Cart PgCartRepository::RemoveItem(const std::string& customer_id, const std::string& product_id) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    if (LockCart(txn, customer_id) &&
        txn.exec_prepared("cart_remove_line", customer_id, product_id).affected_rows() > 0) {
      txn.exec_prepared("cart_touch", customer_id);
    }
    return ReadCart(txn, customer_id);
  });
}

Cart PgCartRepository::Clear(const std::string& customer_id) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    if (LockCart(txn, customer_id) && txn.exec_prepared("cart_clear", customer_id).affected_rows() > 0) {
      txn.exec_prepared("cart_touch", customer_id);
    }
    return ReadCart(txn, customer_id);
  });
}

int PgCartRepository::RemoveProducts(const std::string& customer_id, const std::vector<std::string>& product_ids,
                                     std::optional<types::Timestamp> version) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    if (product_ids.empty() || !LockCart(txn, customer_id)) return 0;
    std::string array = "{";
    for (const auto& id : product_ids) array += (array.size() > 1 ? "," : "") + id;
    array += "}";
    const auto removed = static_cast<int>(
        txn.exec_prepared("cart_remove_lines", customer_id, array, db::OptionalMicros(version)).affected_rows());
    if (removed > 0) txn.exec_prepared("cart_touch", customer_id);
    return removed;
  });
}

}  // namespace storefront::cart::repo

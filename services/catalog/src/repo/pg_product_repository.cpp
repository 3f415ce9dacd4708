#include "repo/pg_product_repository.h"

#include <pqxx/pqxx>

#include "shared/db/fields.h"
#include "shared/db/statement.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"
#include "shared/types/proto.h"
#include "shared/types/time.h"
#include "storefront/events/v1/catalog_events.pb.h"

namespace storefront::catalog::repo {
namespace {

using domain::Product;

// Column list shared by every query that returns products; read by ReadProduct.
constexpr const char* kColumns =
    "p.id::text, p.sku, p.name, p.description, p.price_minor, p.currency, p.category_id, p.image_url, p.active, "
    STOREFRONT_SQL_MICROS("p.created_at") ", " STOREFRONT_SQL_MICROS("p.updated_at");
constexpr int kColumnCount = 11;

Product ReadProduct(const pqxx::row& row) {
  Product p;
  p.id = row[0].as<std::string>();
  p.sku = row[1].as<std::string>();
  p.name = row[2].as<std::string>();
  p.description = row[3].as<std::string>();
  p.price.amount_minor = row[4].as<std::int64_t>();
  p.price.currency = row[5].as<std::string>();
  p.category_id = row[6].as<std::string>();
  p.image_url = row[7].as<std::string>();
  p.active = row[8].as<bool>();
  p.created_at = db::TimeField(row[9]);
  p.updated_at = db::TimeField(row[10]);
  return p;
}

// Browsing walks (name, id); searching walks (rank DESC, id). Each query fetches one row
// more than the page to learn whether another page follows, without a COUNT.
const std::string kBrowseSql = std::string("SELECT ") + kColumns +
                               " FROM products p"
                               " WHERE ($1 = '' OR p.category_id = $1)"
                               "   AND ($2::bool OR p.active)"
                               "   AND (NOT $3::bool OR (p.name, p.id) > ($4::text, $5::uuid))"
                               " ORDER BY p.name, p.id"
                               " LIMIT $6";

const std::string kSearchSql = std::string("SELECT ") + kColumns +
                               ", ts_rank(p.search, q)::text"
                               " FROM products p, websearch_to_tsquery('english', $7) q"
                               " WHERE p.search @@ q"
                               "   AND ($1 = '' OR p.category_id = $1)"
                               "   AND ($2::bool OR p.active)"
                               "   AND (NOT $3::bool OR ts_rank(p.search, q) < $4::real"
                               "        OR (ts_rank(p.search, q) = $4::real AND p.id > $5::uuid))"
                               " ORDER BY ts_rank(p.search, q) DESC, p.id"
                               " LIMIT $6";

const std::string kGetSql = std::string("SELECT ") + kColumns + " FROM products p WHERE p.id = $1::uuid";
// The ids travel as one PostgreSQL array literal of validated UUIDs: one round trip.
const std::string kBatchGetSql = std::string("SELECT ") + kColumns + " FROM products p WHERE p.id = ANY($1::uuid[])";
const std::string kCategoriesSql =
    "SELECT c.id, c.name, c.description, count(p.id) FILTER (WHERE p.active)"
    " FROM categories c LEFT JOIN products p ON p.category_id = c.id"
    " GROUP BY c.id ORDER BY c.name";

constexpr const char* kNilUuid = "00000000-0000-0000-0000-000000000000";

// --- Events (proto/storefront/events/v1/catalog_events.proto) -----------------------------------

namespace ev = storefront::events::v1;

void AppendEvent(pqxx::transaction_base& txn, std::string_view type, const Product& p,
                 const google::protobuf::Message& payload) {
  storefront::events::OutgoingEvent event;
  event.topic = std::string(storefront::events::kProductTopic);
  event.event_type = std::string(type);
  event.aggregate_type = "product";
  event.aggregate_id = p.id;  // the key: one product's events stay in order
  event.payload = &payload;
  storefront::events::Append(txn, "catalog", "catalog", event);
}

// ProductCreated and ProductChanged carry the whole product, so a consumer that missed an
// earlier event still ends up right.
template <typename Payload>
Payload Snapshot(const Product& p) {
  Payload payload;
  payload.set_product_id(p.id);
  payload.set_sku(p.sku);
  payload.set_name(p.name);
  types::ToProto(p.price, payload.mutable_price());
  payload.set_category_id(p.category_id);
  payload.set_image_url(p.image_url);
  payload.set_active(p.active);
  return payload;
}

void PublishCreated(pqxx::transaction_base& txn, const Product& p) {
  AppendEvent(txn, storefront::events::types::kProductCreated, p, Snapshot<ev::ProductCreated>(p));
}

// What an update announces (domain::Compare): nothing when nothing changed; ProductChanged for
// the fields that did; ProductDeactivated, after it, when the product was withdrawn.
void PublishUpdate(pqxx::transaction_base& txn, const Product& before, const Product& after) {
  const domain::ProductChange change = domain::Compare(before, after);
  if (!change.changed_fields.empty()) {
    auto payload = Snapshot<ev::ProductChanged>(after);
    for (const auto& field : change.changed_fields) payload.add_changed_fields(field);
    AppendEvent(txn, storefront::events::types::kProductChanged, after, payload);
  }
  if (change.deactivated) {
    ev::ProductDeactivated payload;
    payload.set_product_id(after.id);
    payload.set_sku(after.sku);
    AppendEvent(txn, storefront::events::types::kProductDeactivated, after, payload);
  }
}

}  // namespace

void PgProductRepository::Prepare(pqxx::connection& connection) {
  connection.prepare("catalog_browse", kBrowseSql);
  connection.prepare("catalog_search", kSearchSql);
  connection.prepare("catalog_get", kGetSql);
  connection.prepare("catalog_batch_get", kBatchGetSql);
  connection.prepare("catalog_categories", kCategoriesSql);
}

domain::ProductPage PgProductRepository::List(const domain::ProductQuery& query) {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    const bool has_cursor = query.after.has_value();
    const std::string sort_key = has_cursor ? query.after->sort_key : (query.text.empty() ? "" : "0");
    const std::string after_id = has_cursor ? query.after->id : kNilUuid;
    const int fetch = query.limit + 1;
    pqxx::result rows =
        query.text.empty()
            ? txn.exec_prepared("catalog_browse", query.category_id, query.include_inactive, has_cursor, sort_key, after_id,
                              fetch)
            : txn.exec_prepared("catalog_search", query.category_id, query.include_inactive, has_cursor, sort_key, after_id,
                              fetch, query.text);
    domain::ProductPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.products.size()) == query.limit) {
        const auto& last_row = rows[query.limit - 1];
        const auto& last = page.products.back();
        page.next = domain::PageToken{
            query.text.empty() ? last.name : last_row[kColumnCount].as<std::string>(), last.id};
        break;
      }
      page.products.push_back(ReadProduct(row));
    }
    return page;
  });
}

std::optional<domain::Product> PgProductRepository::Get(const std::string& id) {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) -> std::optional<Product> {
    auto rows = txn.exec_prepared("catalog_get", id);
    if (rows.empty()) return std::nullopt;
    return ReadProduct(rows[0]);
  });
}

std::vector<domain::Product> PgProductRepository::BatchGet(const std::vector<std::string>& ids) {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    std::string array = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) array += (i ? "," : "") + ids[i];
    array += "}";
    auto rows = txn.exec_prepared("catalog_batch_get", array);
    std::vector<Product> products;
    for (const auto& row : rows) products.push_back(ReadProduct(row));
    return products;
  });
}

std::vector<domain::Category> PgProductRepository::Categories() {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    auto rows = txn.exec_prepared("catalog_categories");
    std::vector<domain::Category> categories;
    for (const auto& row : rows) {
      categories.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                            row[3].as<int>()});
    }
    return categories;
  });
}

bool PgProductRepository::CategoryExists(const std::string& id) {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    return !db::Exec(txn, "SELECT 1 FROM categories WHERE id = $1", id).empty();
  });
}

domain::Product PgProductRepository::Create(const domain::NewProduct& product) {
  try {
    return db::WithTransaction(pool_, [&](pqxx::work& txn) {
      auto rows = db::Exec(txn,
          std::string("INSERT INTO products AS p (sku, name, description, price_minor, currency, category_id, "
                      "image_url) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ") +
              kColumns,
          product.sku, product.name, product.description, product.price.amount_minor, product.price.currency,
          product.category_id, product.image_url);
      Product created = ReadProduct(rows[0]);
      PublishCreated(txn, created);
      return created;
    });
  } catch (const pqxx::unique_violation&) {
    throw AlreadyExists("a product with SKU " + product.sku + " already exists");
  } catch (const pqxx::foreign_key_violation&) {
    throw InvalidArgument("category_id", "no category " + product.category_id);
  }
}

std::optional<domain::Product> PgProductRepository::Update(const std::string& id, const domain::ProductPatch& patch) {
  try {
    return db::WithTransaction(pool_, [&](pqxx::work& txn) -> std::optional<Product> {
      // The row as it was, locked until commit, so the events describe exactly this change.
      auto locked =
          db::Exec(txn, std::string("SELECT ") + kColumns + " FROM products p WHERE p.id = $1::uuid FOR UPDATE", id);
      if (locked.empty()) return std::nullopt;
      const Product before = ReadProduct(locked[0]);
      // Each field is a (changed?, value) pair so one statement covers every patch shape.
      auto rows = db::Exec(txn,
          std::string("UPDATE products AS p SET"
                      " name = CASE WHEN $2 THEN $3 ELSE p.name END,"
                      " description = CASE WHEN $4 THEN $5 ELSE p.description END,"
                      " price_minor = CASE WHEN $6 THEN $7::bigint ELSE p.price_minor END,"
                      " currency = CASE WHEN $6 THEN $8 ELSE p.currency END,"
                      " category_id = CASE WHEN $9 THEN $10 ELSE p.category_id END,"
                      " image_url = CASE WHEN $11 THEN $12 ELSE p.image_url END,"
                      " active = CASE WHEN $13 THEN $14::bool ELSE p.active END,"
                      " updated_at = now()"
                      " WHERE p.id = $1::uuid RETURNING ") +
              kColumns,
          id, patch.name.has_value(), patch.name.value_or(""), patch.description.has_value(),
          patch.description.value_or(""), patch.price.has_value(), patch.price ? patch.price->amount_minor : 0,
          patch.price ? patch.price->currency : "", patch.category_id.has_value(), patch.category_id.value_or(""),
          patch.image_url.has_value(), patch.image_url.value_or(""), patch.active.has_value(),
          patch.active.value_or(false));
      if (rows.empty()) return std::nullopt;
      Product after = ReadProduct(rows[0]);
      PublishUpdate(txn, before, after);
      return after;
    });
  } catch (const pqxx::foreign_key_violation&) {
    throw InvalidArgument("category_id", "no category " + patch.category_id.value_or(""));
  }
}

}  // namespace storefront::catalog::repo

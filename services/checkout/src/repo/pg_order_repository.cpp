#include "repo/pg_order_repository.h"

#include <nlohmann/json.hpp>

#include <pqxx/pqxx>

#include <map>

#include "repo/order_outbox.h"
#include "repo/order_sql.h"
#include "repo/pg_order_tracking.h"
#include "shared/db/fields.h"
#include "shared/db/statement.h"
#include "shared/types/time.h"
#include "shared/types/uuid.h"

namespace storefront::checkout::repo {
namespace {

using domain::Order;
using types::ToMicros;

constexpr const char* kOrderColumns =
    "id::text, customer_id, customer_email, idempotency_key, request_fingerprint, status, failure, failure_reason, "
    "currency, subtotal_minor, shipping_minor, total_minor, ship_name, ship_line1, ship_line2, ship_city, "
    "ship_region, ship_postal_code, ship_country, shipping_option_id, reservation_id, payment_id, payment_status, "
    "card_brand, card_last4, shipment_id, carrier, tracking_number, shipment_status, "
    STOREFRONT_SQL_MICROS("created_at") ", " STOREFRONT_SQL_MICROS("updated_at") ", lease_token, cancel_reason, traceparent, "
    STOREFRONT_SQL_MICROS("cart_version");

Order ReadOrder(const pqxx::row& r) {
  Order o;
  int i = 0;
  auto text = [&] { return r[i++].as<std::string>(); };
  o.id = text();
  o.customer_id = text();
  o.customer_email = text();
  o.idempotency_key = text();
  o.request_fingerprint = text();
  o.status = domain::OrderStatusFromString(text()).value_or(domain::OrderStatus::kFailed);
  o.failure = domain::FailureFromString(text()).value_or(domain::Failure::kNone);
  o.failure_reason = text();
  std::string currency = text();
  o.subtotal = {r[i++].as<std::int64_t>(), currency};
  o.shipping_price = {r[i++].as<std::int64_t>(), currency};
  o.total = {r[i++].as<std::int64_t>(), currency};
  o.shipping_address.name = text();
  o.shipping_address.line1 = text();
  o.shipping_address.line2 = text();
  o.shipping_address.city = text();
  o.shipping_address.region = text();
  o.shipping_address.postal_code = text();
  o.shipping_address.country = text();
  o.shipping_option_id = text();
  o.reservation_id = text();
  o.payment_id = text();
  o.payment_status = domain::PaymentStatusFromString(text()).value_or(domain::PaymentStatus::kNone);
  o.card_brand = text();
  o.card_last4 = text();
  o.shipment_id = text();
  o.carrier = text();
  o.tracking_number = text();
  o.shipment_status = domain::ShipmentStatusFromString(text()).value_or(domain::ShipmentStatus::kNone);
  o.created_at = db::TimeField(r[i++]);
  o.updated_at = db::TimeField(r[i++]);
  o.lease_token = r[i++].as<std::int64_t>();
  o.cancel_reason = text();
  o.traceparent = text();
  o.cart_version = db::OptionalTimeField(r[i++]);
  return o;
}

// Loads lines, steps and timeline of `orders` with one query each.
template <typename Txn>
void LoadChildren(Txn& txn, std::vector<Order>& orders) {
  if (orders.empty()) return;
  std::map<std::string, Order*> by_id;
  std::string ids = "{";
  for (auto& order : orders) {
    by_id[order.id] = &order;
    ids += (ids.size() > 1 ? "," : "") + order.id;
  }
  ids += "}";
  for (const auto& r : db::Exec(txn,
           "SELECT order_id::text, product_id, sku, name, quantity, unit_price_minor, line_total_minor"
           " FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position",
           ids)) {
    Order* o = by_id[r[0].template as<std::string>()];
    o->items.push_back({r[1].template as<std::string>(), r[2].template as<std::string>(),
                        r[3].template as<std::string>(), r[4].template as<int>(),
                        {r[5].template as<std::int64_t>(), o->subtotal.currency},
                        {r[6].template as<std::int64_t>(), o->subtotal.currency}});
  }
  for (const auto& r : db::Exec(txn,
           "SELECT order_id::text, name, state, detail, " STOREFRONT_SQL_MICROS("at")
           " FROM saga_steps WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position",
           ids)) {
    Order* o = by_id[r[0].template as<std::string>()];
    o->steps.push_back({r[1].template as<std::string>(),
                        domain::StepStateFromString(r[2].template as<std::string>()).value_or(domain::StepState::kFailed),
                        r[3].template as<std::string>(), db::TimeField(r[4])});
  }
  for (const auto& r : db::Exec(txn,
           "SELECT order_id::text, status, note, " STOREFRONT_SQL_MICROS("at")
           " FROM order_timeline WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position",
           ids)) {
    Order* o = by_id[r[0].template as<std::string>()];
    o->timeline.push_back(
        {domain::OrderStatusFromString(r[1].template as<std::string>()).value_or(domain::OrderStatus::kFailed),
         r[2].template as<std::string>(), db::TimeField(r[3])});
  }
}

template <typename Txn>
std::optional<Order> LoadOne(Txn& txn, const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  std::vector<Order> orders{ReadOrder(rows[0])};
  LoadChildren(txn, orders);
  return std::move(orders[0]);
}

// The order's steps and timeline in two statements, whatever their number: each step is upserted
// (and a row is rewritten only when the step changed), each timeline entry not stored yet is
// appended after the stored ones (event handlers append to it too: PgOrderTracking).
void WriteSteps(pqxx::work& txn, const Order& order) {
  nlohmann::json steps = nlohmann::json::array();
  for (std::size_t i = 0; i < order.steps.size(); ++i) {
    const auto& s = order.steps[i];
    steps.push_back({{"position", i}, {"name", s.name}, {"state", domain::ToString(s.state)}, {"detail", s.detail},
                     {"micros", ToMicros(s.at)}});
  }
  db::Exec(txn,
      "INSERT INTO saga_steps (order_id, position, name, state, detail, at)"
      " SELECT $1::uuid, s.position, s.name, s.state, s.detail, " STOREFRONT_SQL_TIMESTAMP_OF("s.micros")
      " FROM jsonb_to_recordset($2::jsonb) AS s(position int, name text, state text, detail text, micros bigint)"
      " ON CONFLICT (order_id, position) DO UPDATE SET state = EXCLUDED.state, detail = EXCLUDED.detail,"
      " at = EXCLUDED.at"
      " WHERE (saga_steps.state, saga_steps.detail, saga_steps.at)"
      "   IS DISTINCT FROM (EXCLUDED.state, EXCLUDED.detail, EXCLUDED.at)",
      order.id, steps.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  nlohmann::json timeline = nlohmann::json::array();
  for (std::size_t n = 0; n < order.timeline.size(); ++n) {
    const auto& entry = order.timeline[n];
    timeline.push_back(
        {{"n", n}, {"status", domain::ToString(entry.status)}, {"note", entry.note}, {"micros", ToMicros(entry.at)}});
  }
  db::Exec(txn,
      "WITH entries AS ("
      "  SELECT e.n, e.status, e.note, " STOREFRONT_SQL_TIMESTAMP_OF("e.micros") " AS at"
      "  FROM jsonb_to_recordset($2::jsonb) AS e(n int, status text, note text, micros bigint)),"
      " missing AS ("
      "  SELECT * FROM entries e WHERE NOT EXISTS (SELECT 1 FROM order_timeline t"
      "    WHERE t.order_id = $1::uuid AND t.status = e.status AND t.note = e.note AND t.at = e.at))"
      " INSERT INTO order_timeline (order_id, position, status, note, at)"
      " SELECT $1::uuid, (SELECT coalesce(max(position), -1) FROM order_timeline WHERE order_id = $1::uuid)"
      "   + row_number() OVER (ORDER BY n), status, note, at FROM missing",
      order.id, timeline.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The statuses a save may find stored and move to `to` from (domain::CanMove), as a text[].
std::string StatusesBefore(domain::OrderStatus to) {
  std::string list = "{";
  for (int i = 0; i <= static_cast<int>(domain::OrderStatus::kCancelling); ++i) {
    const auto from = static_cast<domain::OrderStatus>(i);
    if (domain::CanMove(from, to)) list += std::string(list.size() > 1 ? "," : "") + domain::ToString(from);
  }
  return list + "}";
}

double Seconds(std::chrono::milliseconds lease) { return static_cast<double>(lease.count()) / 1000.0; }

}  // namespace

std::string PgOrderRepository::Create(const Order& order, std::chrono::milliseconds lease) {
  try {
    return db::WithTransaction(pool_, [&](pqxx::work& txn) {
      const auto& a = order.shipping_address;
      std::string id =
          db::Exec(txn,
                 "INSERT INTO orders (customer_id, customer_email, idempotency_key, request_fingerprint, status,"
                 " currency, subtotal_minor, shipping_minor, total_minor, ship_name, ship_line1, ship_line2,"
                 " ship_city, ship_region, ship_postal_code, ship_country, shipping_option_id, card_last4, carrier,"
                 " lease_until, created_at, updated_at, traceparent, cart_version)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,"
                 " now() + make_interval(secs => $20), " STOREFRONT_SQL_TIMESTAMP(21) ", " STOREFRONT_SQL_TIMESTAMP(21) ","
                 " $22, " STOREFRONT_SQL_TIMESTAMP(23) ") RETURNING id::text",
                 order.customer_id, order.customer_email, order.idempotency_key, order.request_fingerprint,
                 domain::ToString(order.status), order.total.currency, order.subtotal.amount_minor,
                 order.shipping_price.amount_minor, order.total.amount_minor, a.name, a.line1, a.line2, a.city,
                 a.region, a.postal_code, a.country, order.shipping_option_id, order.card_last4, order.carrier,
                 Seconds(lease), ToMicros(order.created_at), order.traceparent,
                 db::OptionalMicros(order.cart_version))[0][0]
              .as<std::string>();
      for (std::size_t i = 0; i < order.items.size(); ++i) {
        const auto& item = order.items[i];
        db::Exec(txn,
            "INSERT INTO order_items (order_id, position, product_id, sku, name, quantity, unit_price_minor,"
            " line_total_minor) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8)",
            id, static_cast<int>(i), item.product_id, item.sku, item.name, item.quantity, item.unit_price.amount_minor,
            item.line_total.amount_minor);
      }
      Order saved = order;
      saved.id = id;
      WriteSteps(txn, saved);
      AppendOrderEvents(txn, saved);  // same transaction: announced if and only if stored
      return id;
    });
  } catch (const pqxx::unique_violation&) {
    throw AlreadyExists("idempotency key already used");
  }
}

void PgOrderRepository::Save(const Order& order, std::chrono::milliseconds lease) {
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    const auto updated = db::Exec(txn,
        "UPDATE orders SET status = $2, failure = $3, failure_reason = $4, reservation_id = $5, payment_id = $6, " +
            ForwardOnly("payment_status", kPaymentProgress, "$7") +
            ", card_brand = $8, card_last4 = $9, shipment_id = $10, carrier = $11, tracking_number = $12, " +
            ForwardOnly("shipment_status", kShipmentProgress, "$13") +
            ", updated_at = " STOREFRONT_SQL_TIMESTAMP(14) ","
            // An ended order needs nobody to drive it: its last save gives the lease back.
            " lease_until = CASE WHEN $18 THEN NULL ELSE now() + make_interval(secs => $15) END"
            " WHERE id = $1::uuid AND lease_token = $16 AND (status = $2 OR status = ANY($17::text[]))",
        order.id, domain::ToString(order.status), domain::ToString(order.failure), order.failure_reason,
        order.reservation_id, order.payment_id, domain::ToString(order.payment_status), order.card_brand,
        order.card_last4, order.shipment_id, order.carrier, order.tracking_number,
        domain::ToString(order.shipment_status), ToMicros(order.updated_at), Seconds(lease), order.lease_token,
        StatusesBefore(order.status), domain::IsTerminal(order.status));
    if (updated.affected_rows() == 0) {
      const auto stored = db::Exec(txn, "SELECT lease_token, status FROM orders WHERE id = $1::uuid", order.id);
      if (stored.empty() || stored[0][0].as<std::int64_t>() != order.lease_token) {
        throw domain::LeaseLost("order " + order.id + " was taken over by another runner (lease token " +
                                std::to_string(order.lease_token) + " is stale)");
      }
      throw domain::OrderMovedOn("order " + order.id + " is " + stored[0][1].as<std::string>() + " now; a save of " +
                                 domain::ToString(order.status) + " may not move it from there");
    }
    WriteSteps(txn, order);
    AppendOrderEvents(txn, order);
  });
}

std::optional<Order> PgOrderRepository::BeginCancel(const std::string& order_id, const std::string& reason,
                                                    std::chrono::milliseconds lease) {
  return db::WithTransaction(pool_, [&](pqxx::work& txn) -> std::optional<Order> {
    auto order = LoadOne(txn, db::Exec(txn, std::string("UPDATE orders SET status = 'CANCELLING', cancel_reason = $2,"
                                                        " updated_at = now(), lease_token = lease_token + 1,"
                                                        " lease_until = now() + make_interval(secs => $3)"
                                                        " WHERE id = $1::uuid AND status = 'CONFIRMED' RETURNING ") +
                                                kOrderColumns,
                                            order_id, reason, Seconds(lease)));
    if (!order) return std::nullopt;
    domain::TimelineEntry entry{domain::OrderStatus::kCancelling,
                                reason.empty() ? "Cancellation requested" : "Cancellation requested: " + reason,
                                order->updated_at};
    AppendTimeline(txn, order->id, entry);
    order->timeline.push_back(entry);
    return order;
  });
}

void PgOrderRepository::RecordRefund(const std::string& order_id, domain::PaymentStatus payment_status,
                                     bool fully_refunded, const std::string& note) {
  db::WithTransaction(pool_, [&](pqxx::work& txn) {
    PgOrderTracking tracking(txn);
    tracking.SetPaymentStatus(order_id, payment_status);
    if (fully_refunded) {
      tracking.Advance(order_id,
                       {domain::OrderStatus::kConfirmed, domain::OrderStatus::kShipped, domain::OrderStatus::kDelivered},
                       domain::OrderStatus::kRefunded, note);
    }
  });
}

std::optional<Order> PgOrderRepository::Get(const std::string& order_id) {
  if (!types::IsUuid(order_id)) return std::nullopt;  // no such order, rather than a SQL error
  return db::WithTransaction(pool_, [&](pqxx::work& txn) {
    return LoadOne(txn, db::Exec(txn, std::string("SELECT ") + kOrderColumns + " FROM orders WHERE id = $1::uuid",
                                      order_id));
  });
}

std::optional<Order> PgOrderRepository::FindByIdempotencyKey(const std::string& customer_id, const std::string& key) {
  return db::WithTransaction(pool_, [&](pqxx::work& txn) {
    return LoadOne(txn, db::Exec(txn, std::string("SELECT ") + kOrderColumns +
                                          " FROM orders WHERE customer_id = $1 AND idempotency_key = $2",
                                      customer_id, key));
  });
}

bool PgOrderRepository::IsLeased(const std::string& order_id) {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    auto rows = db::Exec(txn, "SELECT coalesce(lease_until > now(), false) FROM orders WHERE id = $1::uuid", order_id);
    return !rows.empty() && rows[0][0].as<bool>();
  });
}

std::optional<Order> PgOrderRepository::ClaimStale(std::chrono::milliseconds lease) {
  return db::WithTransaction(pool_, [&](pqxx::work& txn) {
    // SKIP LOCKED: replicas recovering at the same time take different orders.
    return LoadOne(txn, db::Exec(txn,
                            std::string("UPDATE orders SET lease_until = now() + make_interval(secs => $1),"
                                        " lease_token = lease_token + 1"
                                        " WHERE id = (SELECT id FROM orders"
                                        "   WHERE status IN ('PENDING', 'RESERVED', 'PAYMENT_AUTHORIZED', 'CANCELLING')"
                                        "     AND (lease_until IS NULL OR lease_until < now())"
                                        "   ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ") +
                                kOrderColumns,
                            Seconds(lease)));
  });
}

domain::OrderPage PgOrderRepository::List(const domain::OrderFilter& filter) {
  return db::WithTransaction(pool_, [&](pqxx::work& txn) {
    const auto& after = filter.after;
    auto rows = db::Exec(txn,
        std::string("SELECT ") + kOrderColumns +
            " FROM orders WHERE ($1 = '' OR customer_id = $1) AND ($2 = '' OR status = $2)"
            " AND ($3 = '' OR lower(customer_email) = lower($3))"
            " AND (NOT $4::bool OR (created_at, id) < (" STOREFRONT_SQL_TIMESTAMP(5) ", $6::uuid))"
            " AND (NOT $8::bool OR created_at >= " STOREFRONT_SQL_TIMESTAMP(9) ")"
            " AND (NOT $10::bool OR created_at < " STOREFRONT_SQL_TIMESTAMP(11) ")"
            " ORDER BY created_at DESC, id DESC LIMIT $7",
        filter.customer_id, filter.status ? domain::ToString(*filter.status) : "", filter.customer_email,
        after.has_value(), after ? ToMicros(after->created_at) : 0,
        after ? after->id : "00000000-0000-0000-0000-000000000000", filter.limit + 1,
        filter.created_after.has_value(), filter.created_after ? ToMicros(*filter.created_after) : 0,
        filter.created_before.has_value(), filter.created_before ? ToMicros(*filter.created_before) : 0);
    domain::OrderPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.orders.size()) == filter.limit) {
        page.more = true;
        break;
      }
      page.orders.push_back(ReadOrder(row));
    }
    LoadChildren(txn, page.orders);
    return page;
  });
}

std::vector<domain::SalesBucket> PgOrderRepository::Sales(const domain::SalesQuery& query) {
  const std::string unit = query.granularity == domain::Granularity::kHour ? "hour" : "day";
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) {
    // Aggregate the range's orders first (a range scan of orders_page_idx), then lay the result
    // over a series of every hour or day, so empty ones come back as zeros. Buckets are UTC
    // whatever the session's TimeZone: `AT TIME ZONE 'UTC'` turns timestamptz into UTC wall time
    // for date_trunc and back.
    auto rows = db::Exec(txn,
        "WITH sales AS ("
        "  SELECT date_trunc($1, created_at AT TIME ZONE 'UTC') AS start, count(*) AS orders,"
        "         sum(total_minor)::bigint AS revenue"
        "  FROM orders"
        "  WHERE created_at >= " STOREFRONT_SQL_TIMESTAMP(2) " AND created_at < " STOREFRONT_SQL_TIMESTAMP(3)
        "    AND currency = $4"
        "    AND status IN ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'REFUNDED')"
        "  GROUP BY 1)"
        " SELECT " STOREFRONT_SQL_MICROS("(b.start AT TIME ZONE 'UTC')") ","
        "        coalesce(s.orders, 0), coalesce(s.revenue, 0)"
        " FROM generate_series(date_trunc($1, " STOREFRONT_SQL_TIMESTAMP(2) " AT TIME ZONE 'UTC'),"
        "                      (" STOREFRONT_SQL_TIMESTAMP(3) " AT TIME ZONE 'UTC') - interval '1 microsecond',"
        "                      ('1 ' || $1)::interval) AS b(start)"
        " LEFT JOIN sales s ON s.start = b.start"
        " ORDER BY b.start",
        unit, ToMicros(query.from), ToMicros(query.to), query.currency);
    std::vector<domain::SalesBucket> buckets;
    for (const auto& row : rows) {
      buckets.push_back({db::TimeField(row[0]), row[1].as<std::int64_t>(),
                         {row[2].as<std::int64_t>(), query.currency}});
    }
    return buckets;
  });
}

}  // namespace storefront::checkout::repo

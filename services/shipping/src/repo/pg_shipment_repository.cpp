#include "repo/pg_shipment_repository.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "shared/db/fields.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"
#include "shared/trace/context.h"
#include "shared/types/proto.h"
#include "shared/types/time.h"
#include "storefront/events/v1/shipping_events.pb.h"

namespace storefront::shipping::repo {
namespace {

using domain::Shipment;
using domain::ShipmentStatus;
using domain::Timestamp;
using types::ToMicros;

// Column list shared by every query that returns shipments; read by ReadShipment. The lines
// come along as one JSON array, so a page of shipments is one round trip.
const std::string kColumns =
    "s.id::text, s.order_id::text, s.customer_id, s.tracking_number, s.carrier, s.service, s.shipping_option_id,"
    " s.status, s.ship_to_name, s.ship_to_line1, s.ship_to_line2, s.ship_to_city, s.ship_to_region,"
    " s.ship_to_postal_code, s.ship_to_country, s.cancel_reason, " STOREFRONT_SQL_MICROS("s.created_at") ", "
    STOREFRONT_SQL_MICROS("s.dispatched_at") ", " STOREFRONT_SQL_MICROS("s.delivered_at") ", "
    STOREFRONT_SQL_MICROS("s.cancelled_at") ", " STOREFRONT_SQL_MICROS("s.updated_at") ", "
    STOREFRONT_SQL_MICROS("s.next_step_at") ","
    " (SELECT coalesce(json_agg(json_build_object('product_id', i.product_id, 'sku', i.sku, 'name', i.name,"
    "                                               'quantity', i.quantity) ORDER BY i.line_no), '[]')"
    "     FROM shipment_items i WHERE i.shipment_id = s.id)::text, s.traceparent";

Shipment ReadShipment(const pqxx::row& row) {
  Shipment s;
  s.id = row[0].as<std::string>();
  s.order_id = row[1].as<std::string>();
  s.customer_id = row[2].as<std::string>();
  s.tracking_number = row[3].as<std::string>();
  s.carrier = row[4].as<std::string>();
  s.service = row[5].as<std::string>();
  s.shipping_option_id = row[6].as<std::string>();
  auto status = domain::StatusFromName(row[7].as<std::string>());
  if (!status) throw std::runtime_error("shipment " + s.id + " has an unknown status");
  s.status = *status;
  s.address = {row[8].as<std::string>(),  row[9].as<std::string>(),  row[10].as<std::string>(),
               row[11].as<std::string>(), row[12].as<std::string>(), row[13].as<std::string>(),
               row[14].as<std::string>()};
  s.cancel_reason = row[15].as<std::string>();
  s.created_at = db::TimeField(row[16]);
  s.dispatched_at = db::OptionalTimeField(row[17]);
  s.delivered_at = db::OptionalTimeField(row[18]);
  s.cancelled_at = db::OptionalTimeField(row[19]);
  s.updated_at = db::TimeField(row[20]);
  s.next_step_at = db::OptionalTimeField(row[21]);
  for (const auto& item : nlohmann::json::parse(row[22].as<std::string>())) {
    s.items.push_back({item.at("product_id").get<std::string>(), item.at("sku").get<std::string>(),
                       item.at("name").get<std::string>(), item.at("quantity").get<int>()});
  }
  s.traceparent = row[23].as<std::string>();
  return s;
}

const std::string kSelect = "SELECT " + kColumns + " FROM shipments s";

// ON CONFLICT without a target covers both unique keys: order_id (the idempotency key) and
// tracking_number. Which one it was is learnt by looking for the order's shipment afterwards.
const std::string kInsertSql =
    "INSERT INTO shipments (order_id, customer_id, shipping_option_id, carrier, service, tracking_number, status,"
    " ship_to_name, ship_to_line1, ship_to_line2, ship_to_city, ship_to_region, ship_to_postal_code,"
    " ship_to_country, created_at, updated_at, traceparent)"
    " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, " STOREFRONT_SQL_TIMESTAMP(15) ", "
    STOREFRONT_SQL_TIMESTAMP(15) ", $16) ON CONFLICT DO NOTHING RETURNING id::text";

// Every line in one statement: the lines travel as a JSON array built by nlohmann::json, which
// does the escaping, and keep their order as line_no.
const std::string kInsertItemsSql =
    "INSERT INTO shipment_items (shipment_id, line_no, product_id, sku, name, quantity)"
    " SELECT $1::uuid, i.line_no::int, (i.item->>'product_id')::uuid, i.item->>'sku', i.item->>'name',"
    "        (i.item->>'quantity')::int"
    "   FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS i(item, line_no)";

const std::string kGetSql = kSelect + " WHERE s.id = $1::uuid";
const std::string kGetByOrderSql = kSelect + " WHERE s.order_id = $1::uuid";
// The row lock serialises concurrent transitions of one shipment: the second waits, then sees
// the first one's result and decides again.
const std::string kLockSql = kSelect + " WHERE s.id = $1::uuid FOR UPDATE OF s";
const std::string kLockByOrderSql = kSelect + " WHERE s.order_id = $1::uuid FOR UPDATE OF s";
// The progression's claim: the shipment whose step is the most overdue among those no other
// transaction holds. A row a replica (or an operator's RPC) has locked is skipped, not waited for.
const std::string kLockDueSql = kSelect + " WHERE s.next_step_at <= " STOREFRONT_SQL_TIMESTAMP(1) " ORDER BY s.next_step_at"
                                          " LIMIT 1 FOR UPDATE OF s SKIP LOCKED";

const std::string kUpdateSql =
    "UPDATE shipments SET status = $2, cancel_reason = $3,"
    " dispatched_at = CASE WHEN $4::bool THEN " STOREFRONT_SQL_TIMESTAMP(5) " END,"
    " delivered_at = CASE WHEN $6::bool THEN " STOREFRONT_SQL_TIMESTAMP(7) " END,"
    " cancelled_at = CASE WHEN $8::bool THEN " STOREFRONT_SQL_TIMESTAMP(9) " END,"
    " updated_at = " STOREFRONT_SQL_TIMESTAMP(10) ","
    " next_step_at = CASE WHEN $11::bool THEN " STOREFRONT_SQL_TIMESTAMP(12) " END WHERE id = $1::uuid";

// The order's lock (WithOrderLock). Advisory locks are shared by the whole database, hence the
// "shipping.order:" namespace; the id goes through uuid so that any spelling of one order takes one
// lock. Two orders whose keys collide only take turns, which is harmless.
const std::string kLockOrderSql = "SELECT pg_advisory_xact_lock(hashtext('shipping.order:' || $1::uuid::text))";

// The first closure stays: a second one (a redelivery, or OrderCancelled after OrderFailed) inserts nothing.
const std::string kInsertClosureSql =
    "INSERT INTO closed_orders (order_id, ending, reason, closed_at)"
    " VALUES ($1::uuid, $2, $3, " STOREFRONT_SQL_TIMESTAMP(4) ") ON CONFLICT (order_id) DO NOTHING";
const std::string kGetClosureSql =
    "SELECT order_id::text, ending, reason, " STOREFRONT_SQL_MICROS("closed_at") " FROM closed_orders"
    " WHERE order_id = $1::uuid";

// Newest first on (created_at, id); fetches one row more than the page to learn whether
// another page follows, without a COUNT.
const std::string kListSql = kSelect +
                             " WHERE ($1 = '' OR s.status = $1)"
                             "   AND (NOT $2::bool OR (s.created_at, s.id) < (" STOREFRONT_SQL_TIMESTAMP(3)
                             ", $4::uuid))"
                             " ORDER BY s.created_at DESC, s.id DESC"
                             " LIMIT $5";

constexpr const char* kNilUuid = "00000000-0000-0000-0000-000000000000";

std::string ItemsJson(const std::vector<domain::ShipmentItem>& items) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& item : items) {
    lines.push_back(
        {{"product_id", item.product_id}, {"sku", item.sku}, {"name", item.name}, {"quantity", item.quantity}});
  }
  return lines.dump();
}

std::optional<Shipment> FirstOrNone(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return ReadShipment(rows[0]);
}

void Save(pqxx::transaction_base& txn, const Shipment& s) {
  txn.exec_prepared("shipping_update", s.id, std::string(domain::Name(s.status)), s.cancel_reason,
                    s.dispatched_at.has_value(), s.dispatched_at ? ToMicros(*s.dispatched_at) : 0,
                    s.delivered_at.has_value(), s.delivered_at ? ToMicros(*s.delivered_at) : 0,
                    s.cancelled_at.has_value(), s.cancelled_at ? ToMicros(*s.cancelled_at) : 0, ToMicros(s.updated_at),
                    s.next_step_at.has_value(), s.next_step_at ? ToMicros(*s.next_step_at) : 0);
}

// --- Events (proto/storefront/events/v1/shipping_events.proto) ---------------------------------

namespace ev = storefront::events::v1;

// The trace the shipment is created in: the CreateShipment call's (rpc::Handle makes it current).
std::string TraceOfThisRequest() {
  const storefront::trace::SpanContext* current = storefront::trace::Current();
  return current != nullptr ? current->Traceparent() : std::string();
}

void AppendEvent(pqxx::transaction_base& txn, std::string_view type, const Shipment& s,
                 const google::protobuf::Message& payload) {
  // Keyed by the order, not the shipment: consumers (payments, checkout) think in orders, and an
  // order has at most one shipment, so one order's shipment events stay in order on one partition.
  storefront::events::Append(txn, "shipping", "shipping",
                             {.topic = std::string(storefront::events::kShipmentTopic),
                              .event_type = std::string(type),
                              .aggregate_type = "shipment",
                              .aggregate_id = s.order_id,
                              .payload = &payload,
                              // A request or an event being handled: its trace (the outbox takes the
                              // current one). A step the progression takes in the background: the
                              // trace the shipment was created in.
                              .traceparent = storefront::trace::Current() != nullptr ? "" : s.traceparent});
}

void Publish(pqxx::transaction_base& txn, domain::ShipmentEvent event, const Shipment& s) {
  namespace types = storefront::events::types;
  switch (event) {
    case domain::ShipmentEvent::kCreated: {
      ev::ShipmentCreated payload;
      payload.set_shipment_id(s.id);
      payload.set_order_id(s.order_id);
      payload.set_customer_id(s.customer_id);
      payload.set_carrier(s.carrier);
      payload.set_service(s.service);
      payload.set_tracking_number(s.tracking_number);
      storefront::types::ToProto(s.address, payload.mutable_address());
      for (const auto& item : s.items) {
        auto* line = payload.add_lines();
        line->set_product_id(item.product_id);
        line->set_sku(item.sku);
        line->set_quantity(item.quantity);
      }
      AppendEvent(txn, types::kShipmentCreated, s, payload);
      return;
    }
    case domain::ShipmentEvent::kDispatched: {
      ev::ShipmentDispatched payload;
      payload.set_shipment_id(s.id);
      payload.set_order_id(s.order_id);
      payload.set_customer_id(s.customer_id);
      payload.set_carrier(s.carrier);
      payload.set_tracking_number(s.tracking_number);
      AppendEvent(txn, types::kShipmentDispatched, s, payload);
      return;
    }
    case domain::ShipmentEvent::kDelivered: {
      ev::ShipmentDelivered payload;
      payload.set_shipment_id(s.id);
      payload.set_order_id(s.order_id);
      payload.set_customer_id(s.customer_id);
      payload.set_tracking_number(s.tracking_number);
      AppendEvent(txn, types::kShipmentDelivered, s, payload);
      return;
    }
    case domain::ShipmentEvent::kCancelled: {
      ev::ShipmentCancelled payload;
      payload.set_shipment_id(s.id);
      payload.set_order_id(s.order_id);
      payload.set_customer_id(s.customer_id);
      payload.set_reason(s.cancel_reason);
      AppendEvent(txn, types::kShipmentCancelled, s, payload);
      return;
    }
  }
}

// Runs `change` on the shipment `locked` holds (already locked by the query), saves it and
// announces its move, if it made one.
std::optional<Shipment> ChangeLocked(pqxx::transaction_base& txn, const pqxx::result& locked,
                                     const domain::ShipmentRepository::Change& change) {
  auto shipment = FirstOrNone(locked);
  if (!shipment) return std::nullopt;
  const ShipmentStatus before = shipment->status;
  if (!change(*shipment)) return shipment;  // nothing to write: the transaction just ends
  Save(txn, *shipment);
  if (auto event = domain::EventForMove(before, shipment->status)) Publish(txn, *event, *shipment);
  return shipment;
}

}  // namespace

void PgShipmentRepository::Prepare(pqxx::connection& connection) {
  connection.prepare("shipping_insert", kInsertSql);
  connection.prepare("shipping_insert_items", kInsertItemsSql);
  connection.prepare("shipping_get", kGetSql);
  connection.prepare("shipping_get_by_order", kGetByOrderSql);
  connection.prepare("shipping_lock", kLockSql);
  connection.prepare("shipping_lock_by_order", kLockByOrderSql);
  connection.prepare("shipping_lock_due", kLockDueSql);
  connection.prepare("shipping_update", kUpdateSql);
  connection.prepare("shipping_list", kListSql);
  connection.prepare("shipping_lock_order", kLockOrderSql);
  connection.prepare("shipping_insert_closure", kInsertClosureSql);
  connection.prepare("shipping_get_closure", kGetClosureSql);
}

domain::ShipmentRepository::CreateResult PgShipmentRepository::Create(const Shipment& s) {
  return session_.Write([&](pqxx::transaction_base& txn) -> CreateResult {
    const auto& a = s.address;
    auto inserted = txn.exec_prepared("shipping_insert", s.order_id, s.customer_id, s.shipping_option_id, s.carrier,
                                      s.service, s.tracking_number, std::string(domain::Name(s.status)), a.name,
                                      a.line1, a.line2, a.city, a.region, a.postal_code, a.country,
                                      ToMicros(s.created_at), TraceOfThisRequest());
    if (inserted.empty()) {
      // Read committed: this statement sees a shipment a concurrent call committed meanwhile.
      auto existing = FirstOrNone(txn.exec_prepared("shipping_get_by_order", s.order_id));
      if (existing) return {CreateOutcome::kOrderHasShipment, std::move(existing)};
      return {CreateOutcome::kTrackingNumberTaken, std::nullopt};
    }
    const std::string id = inserted[0][0].as<std::string>();
    txn.exec_prepared("shipping_insert_items", id, ItemsJson(s.items));
    auto created = FirstOrNone(txn.exec_prepared("shipping_get", id));
    Publish(txn, domain::ShipmentEvent::kCreated, *created);  // only here: a repeat inserts nothing
    return {CreateOutcome::kCreated, std::move(created)};
  });
}

std::optional<Shipment> PgShipmentRepository::Get(const std::string& id) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    return FirstOrNone(txn.exec_prepared("shipping_get", id));
  });
}

std::optional<Shipment> PgShipmentRepository::GetByOrder(const std::string& order_id) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    return FirstOrNone(txn.exec_prepared("shipping_get_by_order", order_id));
  });
}

domain::ShipmentPage PgShipmentRepository::List(const domain::ShipmentQuery& query) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    const bool has_cursor = query.after.has_value();
    const std::string status = query.status == ShipmentStatus::kUnspecified ? "" : std::string(Name(query.status));
    pqxx::result rows =
        txn.exec_prepared("shipping_list", status, has_cursor, has_cursor ? query.after->created_at_micros : 0,
                          has_cursor ? query.after->id : kNilUuid, query.limit + 1);
    domain::ShipmentPage page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.shipments.size()) == query.limit) {
        const auto& last = page.shipments.back();
        page.next = domain::PageToken{ToMicros(last.created_at), last.id};
        break;
      }
      page.shipments.push_back(ReadShipment(row));
    }
    return page;
  });
}

std::optional<Shipment> PgShipmentRepository::Update(const std::string& id, const Change& change) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    return ChangeLocked(txn, txn.exec_prepared("shipping_lock", id), change);
  });
}

std::optional<Shipment> PgShipmentRepository::UpdateByOrder(const std::string& order_id, const Change& change) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    return ChangeLocked(txn, txn.exec_prepared("shipping_lock_by_order", order_id), change);
  });
}

std::optional<Shipment> PgShipmentRepository::UpdateOneDue(Timestamp now, const Change& change) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    return ChangeLocked(txn, txn.exec_prepared("shipping_lock_due", ToMicros(now)), change);
  });
}

void PgShipmentRepository::WithOrderLock(const std::string& order_id, const OrderWork& work) {
  if (txn_ != nullptr) {  // the caller's transaction: the lock is held until the caller commits
    txn_->exec_prepared("shipping_lock_order", order_id);
    work(*this);
    return;
  }
  db::WithTransaction(*pool_, [&](pqxx::work& txn) {
    txn.exec_prepared("shipping_lock_order", order_id);
    PgShipmentRepository locked(txn);
    work(locked);
  });
}

bool PgShipmentRepository::RecordClosure(const domain::OrderClosure& closure) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    return txn
               .exec_prepared("shipping_insert_closure", closure.order_id, std::string(domain::Name(closure.ending)),
                              closure.reason, ToMicros(closure.closed_at))
               .affected_rows() == 1;
  });
}

std::optional<domain::OrderClosure> PgShipmentRepository::FindClosure(const std::string& order_id) {
  return session_.Read([&](pqxx::transaction_base& txn) -> std::optional<domain::OrderClosure> {
    auto rows = txn.exec_prepared("shipping_get_closure", order_id);
    if (rows.empty()) return std::nullopt;
    auto ending = domain::OrderEndingFromName(rows[0][1].as<std::string>());
    if (!ending) throw std::runtime_error("closed order " + order_id + " has an unknown ending");
    return domain::OrderClosure{rows[0][0].as<std::string>(), *ending, rows[0][2].as<std::string>(),
                                db::TimeField(rows[0][3])};
  });
}

}  // namespace storefront::shipping::repo

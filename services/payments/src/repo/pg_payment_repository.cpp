#include "repo/pg_payment_repository.h"

#include <pqxx/pqxx>

#include <stdexcept>

#include "shared/db/fields.h"
#include "shared/db/statement.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"
#include "shared/types/proto.h"
#include "shared/types/time.h"
#include "storefront/events/v1/payments_events.pb.h"

namespace storefront::payments::repo {
namespace {

using domain::Payment;
using domain::Timestamp;

using types::ToMicros;

// Timestamps cross SQL as integer microseconds since the epoch (shared/types/time.h): exact both
// ways, and a NULL parameter stays NULL.

// Column list shared by every query that returns payments; read by ReadPayment.
const std::string kColumns =
    "id::text, order_id, customer_id, status, currency, amount_minor, captured_minor, refunded_minor, card_brand, "
    "card_last4, decline_code, processor_reference, "
    STOREFRONT_SQL_MICROS("created_at") ", " STOREFRONT_SQL_MICROS("updated_at") ", "
    STOREFRONT_SQL_MICROS("captured_at") ", " STOREFRONT_SQL_MICROS("voided_at") ", "
    STOREFRONT_SQL_MICROS("last_refunded_at");

template <typename Enum>
Enum Parse(std::optional<Enum> value, const char* what) {
  if (!value) throw std::runtime_error(std::string("unexpected ") + what + " in the payments schema");
  return *value;
}

Payment ReadPayment(const pqxx::row& row) {
  Payment p;
  p.id = row[0].as<std::string>();
  p.order_id = row[1].as<std::string>();
  p.customer_id = row[2].as<std::string>();
  p.status = Parse(domain::ParsePaymentStatus(row[3].as<std::string>()), "status");
  p.currency = row[4].as<std::string>();
  p.amount_minor = row[5].as<std::int64_t>();
  p.captured_minor = row[6].as<std::int64_t>();
  p.refunded_minor = row[7].as<std::int64_t>();
  p.card_brand = Parse(domain::ParseCardBrand(row[8].as<std::string>()), "card_brand");
  p.card_last4 = row[9].as<std::string>();
  p.decline_code = row[10].as<std::string>();
  p.processor_reference = row[11].as<std::string>();
  p.created_at = db::TimeField(row[12]);
  p.updated_at = db::TimeField(row[13]);
  p.captured_at = db::OptionalTimeField(row[14]);
  p.voided_at = db::OptionalTimeField(row[15]);
  p.last_refunded_at = db::OptionalTimeField(row[16]);
  return p;
}

const std::string kGetSql = "SELECT " + kColumns + " FROM payments WHERE id = $1::uuid";
const std::string kLockSql = kGetSql + " FOR UPDATE";
const std::string kListSql =
    "SELECT " + kColumns + " FROM payments WHERE order_id = $1 ORDER BY created_at DESC, id DESC";

// ON CONFLICT DO NOTHING waits for a concurrent transaction inserting the same key to finish;
// RETURNING tells whether this transaction is the one that inserted it.
const std::string kClaimSql =
    "INSERT INTO idempotency_keys (operation, idempotency_key, request_fingerprint, payment_id, created_at)"
    " VALUES ($1, $2, $3, $4::uuid, " STOREFRONT_SQL_TIMESTAMP(5) ")"
    " ON CONFLICT (operation, idempotency_key) DO NOTHING RETURNING 1";
// Read committed: this statement sees the row the other transaction committed, and locks it.
const std::string kExistingKeySql =
    "SELECT request_fingerprint, payment_id::text, " STOREFRONT_SQL_MICROS("created_at")
    " FROM idempotency_keys WHERE operation = $1 AND idempotency_key = $2 FOR UPDATE";

const std::string kSaveSql =
    "INSERT INTO payments (id, order_id, customer_id, status, currency, amount_minor, captured_minor, refunded_minor,"
    " card_brand, card_last4, decline_code, processor_reference, created_at, updated_at, captured_at, voided_at,"
    " last_refunded_at)"
    " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, " STOREFRONT_SQL_TIMESTAMP(13) ", "
    STOREFRONT_SQL_TIMESTAMP(14) ", " STOREFRONT_SQL_TIMESTAMP(15) ", " STOREFRONT_SQL_TIMESTAMP(16) ", "
    STOREFRONT_SQL_TIMESTAMP(17) ")"
    " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, captured_minor = EXCLUDED.captured_minor,"
    " refunded_minor = EXCLUDED.refunded_minor, decline_code = EXCLUDED.decline_code,"
    " processor_reference = EXCLUDED.processor_reference, updated_at = EXCLUDED.updated_at,"
    " captured_at = EXCLUDED.captured_at, voided_at = EXCLUDED.voided_at,"
    " last_refunded_at = EXCLUDED.last_refunded_at";

const std::string kAppendSql =
    "INSERT INTO payment_operations (payment_id, kind, amount_minor, currency, idempotency_key, detail, at)"
    " VALUES ($1::uuid, $2, $3, $4, $5, $6, " STOREFRONT_SQL_TIMESTAMP(7) ")";

// --- Orders -------------------------------------------------------------------------------------

// A transaction-level advisory lock, one per order: released by PostgreSQL when the transaction
// ends (commit or rollback; taken in a savepoint of the consumer's transaction, it passes to that
// transaction), so no code path can forget to release it. Advisory locks span the database, hence
// the "payments.order:" prefix; two orders whose texts hash alike merely wait for each other.
// Order ids are compared in lower case, as checkout's UUIDs are printed: an upper-case spelling of
// the same order takes the same lock and finds the same closure.
const std::string kLockOrderSql = "SELECT pg_advisory_xact_lock(hashtext('payments.order:' || lower($1)))";

const std::string kFindClosureSql =
    "SELECT order_id, ended, reason, " STOREFRONT_SQL_MICROS("closed_at") " FROM order_closures WHERE order_id = lower($1)";
const std::string kCountRecentDeclinesSql =
    "SELECT count(*) FROM payments WHERE customer_id = $1 AND status = 'declined'"
    " AND decline_code <> $2 AND updated_at >= " STOREFRONT_SQL_TIMESTAMP(3);
const std::string kRecordClosureSql =
    "INSERT INTO order_closures (order_id, ended, reason, closed_at)"
    " VALUES (lower($1), $2, $3, " STOREFRONT_SQL_TIMESTAMP(4) ") ON CONFLICT (order_id) DO NOTHING RETURNING 1";

// --- Processor intents ----------------------------------------------------------------------------

const std::string kIntentColumns =
    "id::text, operation, payment_id::text, order_id, amount_minor, currency, processor_key, idempotency_key, detail,"
    " state, attempts, " STOREFRONT_SQL_MICROS("created_at") ", " STOREFRONT_SQL_MICROS("next_attempt_at") ", "
    STOREFRONT_SQL_MICROS("resolved_at") ", last_error";

domain::ProcessorIntent ReadIntent(const pqxx::row& row) {
  domain::ProcessorIntent i;
  i.id = row[0].as<std::string>();
  i.operation = Parse(domain::ParseOperation(row[1].as<std::string>()), "intent operation");
  i.payment_id = row[2].as<std::string>();
  i.order_id = row[3].as<std::string>();
  i.amount_minor = row[4].as<std::int64_t>();
  i.currency = row[5].as<std::string>();
  i.processor_key = row[6].as<std::string>();
  i.idempotency_key = row[7].as<std::string>();
  i.detail = row[8].as<std::string>();
  i.state = Parse(domain::ParseIntentState(row[9].as<std::string>()), "intent state");
  i.attempts = row[10].as<int>();
  i.created_at = db::TimeField(row[11]);
  i.next_attempt_at = db::TimeField(row[12]);
  i.resolved_at = db::OptionalTimeField(row[13]);
  i.last_error = row[14].as<std::string>();
  return i;
}

// Inserted once; afterwards only its progress changes.
const std::string kSaveIntentSql =
    "INSERT INTO processor_intents (id, operation, payment_id, order_id, amount_minor, currency, processor_key,"
    " idempotency_key, detail, state, attempts, created_at, next_attempt_at, resolved_at, last_error)"
    " VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, " STOREFRONT_SQL_TIMESTAMP(12) ", "
    STOREFRONT_SQL_TIMESTAMP(13) ", " STOREFRONT_SQL_TIMESTAMP(14) ", $15)"
    " ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, attempts = EXCLUDED.attempts,"
    " next_attempt_at = EXCLUDED.next_attempt_at, resolved_at = EXCLUDED.resolved_at,"
    " last_error = EXCLUDED.last_error";
const std::string kLockIntentSql = "SELECT " + kIntentColumns + " FROM processor_intents WHERE id = $1::uuid FOR UPDATE";
// The pending one first, then the newest: an authorization retried after an outage has several.
const std::string kFindIntentSql = "SELECT " + kIntentColumns +
                                   " FROM processor_intents WHERE operation = $1 AND idempotency_key = $2"
                                   " ORDER BY state = 'pending' DESC, created_at DESC, id DESC LIMIT 1";
const std::string kPendingIntentsSql = "SELECT " + kIntentColumns +
                                       " FROM processor_intents WHERE payment_id = $1::uuid AND state = 'pending'"
                                       " ORDER BY created_at, id";
// SKIP LOCKED: an intent another sweeper (or a request) is writing is left for later, never
// waited on.
const std::string kTakeDueIntentsSql =
    "UPDATE processor_intents SET attempts = attempts + 1, next_attempt_at = " STOREFRONT_SQL_TIMESTAMP(2)
    " WHERE id IN (SELECT id FROM processor_intents WHERE state = 'pending' AND next_attempt_at <= "
    STOREFRONT_SQL_TIMESTAMP(1) " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING " +
    kIntentColumns;

const std::string kOperationsSql =
    "SELECT payment_id::text, kind, amount_minor, currency, idempotency_key, detail, " STOREFRONT_SQL_MICROS("at")
    " FROM payment_operations WHERE payment_id = $1::uuid ORDER BY id";

// --- Events (proto/storefront/events/v1/payments_events.proto) ----------------------------------

namespace ev = storefront::events::v1;
using domain::PaymentEventKind;

// The brand as events carry it: lower case, "other" for a brand this service does not name.
std::string EventBrand(domain::CardBrand brand) {
  return brand == domain::CardBrand::kUnknown ? "other" : std::string(domain::ToString(brand));
}

// Fills the fields every payment event starts with; card details only where the event has them.
template <typename Payload>
Payload Common(const Payment& p, std::int64_t amount_minor) {
  Payload payload;
  payload.set_payment_id(p.id);
  payload.set_order_id(p.order_id);
  payload.set_customer_id(p.customer_id);
  types::ToProto({amount_minor, p.currency}, payload.mutable_amount());
  return payload;
}

void AppendEvent(pqxx::transaction_base& txn, std::string_view type, const Payment& p,
                 const google::protobuf::Message& payload) {
  // Keyed by the order, not the payment: checkout, the consumer, thinks in orders, and an order's
  // attempts (a decline, then an authorization, then the capture) must stay in order.
  storefront::events::OutgoingEvent event;
  event.topic = std::string(storefront::events::kPaymentTopic);
  event.event_type = std::string(type);
  event.aggregate_type = "payment";
  event.aggregate_id = p.order_id;
  event.payload = &payload;
  storefront::events::Append(txn, "payments", "payments", event);
}

void PublishEvent(pqxx::transaction_base& txn, const domain::PaymentEvent& e) {
  namespace types = storefront::events::types;
  const Payment& p = e.payment;
  switch (e.kind) {
    case PaymentEventKind::kAuthorized: {
      auto payload = Common<ev::PaymentAuthorized>(p, e.amount_minor);
      payload.set_card_brand(EventBrand(p.card_brand));
      payload.set_card_last4(p.card_last4);
      AppendEvent(txn, types::kPaymentAuthorized, p, payload);
      return;
    }
    case PaymentEventKind::kFailed: {
      auto payload = Common<ev::PaymentFailed>(p, e.amount_minor);
      payload.set_declined(p.status == domain::PaymentStatus::kDeclined);
      payload.set_decline_code(p.decline_code);
      payload.set_card_brand(EventBrand(p.card_brand));
      payload.set_card_last4(p.card_last4);
      AppendEvent(txn, types::kPaymentFailed, p, payload);
      return;
    }
    case PaymentEventKind::kCaptured:
      AppendEvent(txn, types::kPaymentCaptured, p, Common<ev::PaymentCaptured>(p, e.amount_minor));
      return;
    case PaymentEventKind::kVoided:
      AppendEvent(txn, types::kPaymentVoided, p, Common<ev::PaymentVoided>(p, e.amount_minor));
      return;
    case PaymentEventKind::kRefunded: {
      auto payload = Common<ev::PaymentRefunded>(p, e.amount_minor);
      storefront::types::ToProto({p.refunded_minor, p.currency}, payload.mutable_refunded_amount());
      payload.set_fully_refunded(p.refunded_minor == p.captured_minor);
      payload.set_reason(e.reason);
      AppendEvent(txn, types::kPaymentRefunded, p, payload);
      return;
    }
  }
}

class PgPaymentTransaction final : public domain::PaymentTransaction {
 public:
  explicit PgPaymentTransaction(pqxx::transaction_base& txn) : txn_(txn) {}

  std::optional<domain::IdempotencyRecord> ClaimKey(const domain::IdempotencyRecord& record) override {
    const std::string operation(domain::ToString(record.operation));
    auto inserted = txn_.exec_prepared("payments_claim_key", operation, record.key, record.fingerprint,
                                       record.payment_id, ToMicros(record.created_at));
    if (!inserted.empty()) return std::nullopt;
    auto rows = txn_.exec_prepared("payments_existing_key", operation, record.key);
    if (rows.empty()) throw std::runtime_error("idempotency key vanished while being claimed");
    return domain::IdempotencyRecord{record.operation, record.key, rows[0][0].as<std::string>(),
                                     rows[0][1].as<std::string>(), db::TimeField(rows[0][2])};
  }

  std::optional<Payment> LockPayment(const std::string& id) override {
    auto rows = txn_.exec_prepared("payments_lock", id);
    if (rows.empty()) return std::nullopt;
    return ReadPayment(rows[0]);
  }

  void Save(const Payment& p) override {
    txn_.exec_prepared("payments_save", p.id, p.order_id, p.customer_id, std::string(domain::ToString(p.status)),
                       p.currency, p.amount_minor, p.captured_minor, p.refunded_minor,
                       std::string(domain::ToString(p.card_brand)), p.card_last4, p.decline_code,
                       p.processor_reference, ToMicros(p.created_at), ToMicros(p.updated_at), db::OptionalMicros(p.captured_at),
                       db::OptionalMicros(p.voided_at), db::OptionalMicros(p.last_refunded_at));
  }

  void Append(const domain::PaymentOperation& o) override {
    txn_.exec_prepared("payments_append", o.payment_id, std::string(domain::ToString(o.kind)), o.amount_minor,
                       o.currency, o.idempotency_key, o.detail, ToMicros(o.at));
  }

  void Publish(const domain::PaymentEvent& event) override { PublishEvent(txn_, event); }

  void LockOrder(const std::string& order_id) override { txn_.exec_prepared("payments_lock_order", order_id); }

  std::optional<domain::OrderClosure> FindClosure(const std::string& order_id) override {
    auto rows = txn_.exec_prepared("payments_find_closure", order_id);
    if (rows.empty()) return std::nullopt;
    return domain::OrderClosure{rows[0][0].as<std::string>(),
                                Parse(domain::ParseOrderEnd(rows[0][1].as<std::string>()), "order end"),
                                rows[0][2].as<std::string>(), db::TimeField(rows[0][3])};
  }

  int CountRecentDeclines(const std::string& customer_id, Timestamp since) override {
    return txn_.exec_prepared("payments_count_recent_declines", customer_id, domain::kTooManyDeclines, ToMicros(since))[0][0]
        .as<int>();
  }

  std::optional<domain::ProcessorIntent> FindIntent(domain::Operation operation, const std::string& key) override {
    auto rows = txn_.exec_prepared("payments_find_intent", std::string(domain::ToString(operation)), key);
    if (rows.empty()) return std::nullopt;
    return ReadIntent(rows[0]);
  }

  std::optional<domain::ProcessorIntent> LockIntent(const std::string& id) override {
    auto rows = txn_.exec_prepared("payments_lock_intent", id);
    if (rows.empty()) return std::nullopt;
    return ReadIntent(rows[0]);
  }

  std::vector<domain::ProcessorIntent> PendingIntents(const std::string& payment_id) override {
    std::vector<domain::ProcessorIntent> intents;
    for (const auto& row : txn_.exec_prepared("payments_pending_intents", payment_id)) intents.push_back(ReadIntent(row));
    return intents;
  }

  void SaveIntent(const domain::ProcessorIntent& i) override {
    txn_.exec_prepared("payments_save_intent", i.id, std::string(domain::ToString(i.operation)), i.payment_id,
                       i.order_id, i.amount_minor, i.currency, i.processor_key, i.idempotency_key, i.detail,
                       std::string(domain::ToString(i.state)), i.attempts, ToMicros(i.created_at),
                       ToMicros(i.next_attempt_at), db::OptionalMicros(i.resolved_at), i.last_error);
  }

  std::optional<domain::OrderClosure> RecordClosure(const domain::OrderClosure& c) override {
    auto inserted = txn_.exec_prepared("payments_record_closure", c.order_id, std::string(domain::ToString(c.end)),
                                       c.reason, ToMicros(c.closed_at));
    if (!inserted.empty()) return std::nullopt;
    auto first = FindClosure(c.order_id);
    if (!first) throw std::runtime_error("order closure vanished while being recorded");
    return first;
  }

 private:
  pqxx::transaction_base& txn_;
};

}  // namespace

void PgPaymentRepository::Prepare(pqxx::connection& connection) {
  connection.prepare("payments_get", kGetSql);
  connection.prepare("payments_lock", kLockSql);
  connection.prepare("payments_list", kListSql);
  connection.prepare("payments_claim_key", kClaimSql);
  connection.prepare("payments_existing_key", kExistingKeySql);
  connection.prepare("payments_save", kSaveSql);
  connection.prepare("payments_append", kAppendSql);
  connection.prepare("payments_operations", kOperationsSql);
  connection.prepare("payments_lock_order", kLockOrderSql);
  connection.prepare("payments_find_closure", kFindClosureSql);
  connection.prepare("payments_count_recent_declines", kCountRecentDeclinesSql);
  connection.prepare("payments_record_closure", kRecordClosureSql);
  connection.prepare("payments_save_intent", kSaveIntentSql);
  connection.prepare("payments_lock_intent", kLockIntentSql);
  connection.prepare("payments_find_intent", kFindIntentSql);
  connection.prepare("payments_pending_intents", kPendingIntentsSql);
  connection.prepare("payments_take_due_intents", kTakeDueIntentsSql);
}

void PgPaymentRepository::InTransaction(const std::function<void(domain::PaymentTransaction&)>& work) {
  session_.Write([&](pqxx::transaction_base& txn) {
    PgPaymentTransaction transaction(txn);
    work(transaction);
  });
}

std::optional<Payment> PgPaymentRepository::Get(const std::string& id) {
  return session_.Read([&](pqxx::transaction_base& txn) -> std::optional<Payment> {
    auto rows = txn.exec_prepared("payments_get", id);
    if (rows.empty()) return std::nullopt;
    return ReadPayment(rows[0]);
  });
}

std::vector<Payment> PgPaymentRepository::ListByOrder(const std::string& order_id) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    std::vector<Payment> payments;
    for (const auto& row : txn.exec_prepared("payments_list", order_id)) payments.push_back(ReadPayment(row));
    return payments;
  });
}

std::vector<domain::ProcessorIntent> PgPaymentRepository::TakeDueIntents(Timestamp now, Timestamp lease_until,
                                                                         int limit) {
  return session_.Write([&](pqxx::transaction_base& txn) {
    std::vector<domain::ProcessorIntent> intents;
    for (const auto& row : txn.exec_prepared("payments_take_due_intents", ToMicros(now), ToMicros(lease_until), limit)) {
      intents.push_back(ReadIntent(row));
    }
    return intents;
  });
}

std::vector<domain::ProcessorIntent> PgPaymentRepository::Intents(const std::string& payment_id) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    std::vector<domain::ProcessorIntent> intents;
    for (const auto& row : db::Exec(txn, "SELECT " + kIntentColumns +
                                             " FROM processor_intents WHERE payment_id = $1::uuid"
                                             " ORDER BY created_at, id",
                                         payment_id)) {
      intents.push_back(ReadIntent(row));
    }
    return intents;
  });
}

std::vector<domain::PaymentOperation> PgPaymentRepository::Operations(const std::string& payment_id) {
  return session_.Read([&](pqxx::transaction_base& txn) {
    std::vector<domain::PaymentOperation> operations;
    for (const auto& row : txn.exec_prepared("payments_operations", payment_id)) {
      operations.push_back({row[0].as<std::string>(),
                            Parse(domain::ParseOperationKind(row[1].as<std::string>()), "operation kind"),
                            row[2].as<std::int64_t>(), row[3].as<std::string>(), row[4].as<std::string>(),
                            row[5].as<std::string>(), db::TimeField(row[6])});
    }
    return operations;
  });
}

}  // namespace storefront::payments::repo

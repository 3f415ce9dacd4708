// For tests: what a service's changes wrote to <schema>.outbox, decoded, so a test can check
// that each change announced exactly what it should (type, key, payload) and nothing else.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "storefront/events/v1/envelope.pb.h"

namespace storefront::testing {

struct OutboxRow {
  std::int64_t id = 0;
  std::string topic;
  std::string key;
  std::string event_type;
  storefront::events::v1::EventEnvelope envelope;

  template <typename Payload>
  Payload PayloadAs() const {
    Payload payload;
    if (!payload.ParseFromString(envelope.payload())) throw std::runtime_error("payload does not parse");
    return payload;
  }
};

namespace internal {

inline std::vector<OutboxRow> ReadOutbox(pqxx::transaction_base& txn, const std::string& sql,
                                         const std::string& param) {
  std::vector<OutboxRow> rows;
  for (const auto& row : txn.exec_params(sql, param)) {
    OutboxRow out{row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                  row[3].as<std::string>(), {}};
    if (!out.envelope.ParseFromString(pqxx::binarystring(row[4]).str())) {
      throw std::runtime_error("outbox envelope does not parse");
    }
    rows.push_back(std::move(out));
  }
  return rows;
}

}  // namespace internal

// The rows of <schema>.outbox with `key`, oldest first, as `txn` sees them (its own uncommitted
// ones included).
inline std::vector<OutboxRow> OutboxRows(pqxx::transaction_base& txn, const std::string& schema,
                                         const std::string& key) {
  return internal::ReadOutbox(
      txn, "SELECT id, topic, key, event_type, envelope FROM " + txn.quote_name(schema) + ".outbox WHERE key = $1 ORDER BY id",
      key);
}

// The same on a connection of its own: only what was committed.
inline std::vector<OutboxRow> OutboxRows(const std::string& dsn, const std::string& schema, const std::string& key) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction txn(connection);
  return OutboxRows(txn, schema, key);
}

// The rows keyed by any of `keys` (a test's own fresh ids), oldest first.
inline std::vector<OutboxRow> OutboxRowsFor(pqxx::transaction_base& txn, const std::string& schema,
                                            const std::set<std::string>& keys) {
  std::string array = "{";
  for (const auto& key : keys) array += (array.size() > 1 ? "," : "") + key;
  array += "}";
  return internal::ReadOutbox(txn,
                              "SELECT id, topic, key, event_type, envelope FROM " + txn.quote_name(schema) +
                                  ".outbox WHERE key = ANY($1::text[]) ORDER BY id",
                              array);
}

inline std::vector<OutboxRow> OutboxRowsFor(const std::string& dsn, const std::string& schema,
                                            const std::set<std::string>& keys) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction txn(connection);
  return OutboxRowsFor(txn, schema, keys);
}

// Hands out the rows appended since its previous call, among those keyed by `keys`: what one
// step of a test announced.
class OutboxCursor {
 public:
  OutboxCursor(std::string dsn, std::string schema) : dsn_(std::move(dsn)), schema_(std::move(schema)) {}

  std::vector<OutboxRow> NewRows(const std::set<std::string>& keys) {
    std::vector<OutboxRow> fresh;
    for (auto& row : OutboxRowsFor(dsn_, schema_, keys)) {
      if (row.id > last_id_) fresh.push_back(std::move(row));
    }
    pqxx::connection connection(dsn_);
    pqxx::nontransaction txn(connection);
    last_id_ = txn.exec("SELECT coalesce(max(id), 0) FROM " + txn.quote_name(schema_) + ".outbox")[0][0]
                   .as<std::int64_t>();
    return fresh;
  }

 private:
  std::string dsn_;
  std::string schema_;
  std::int64_t last_id_ = 0;
};

// Just the event types, for the common check.
inline std::vector<std::string> EventTypes(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> types;
  for (const auto& row : rows) types.push_back(row.event_type);
  return types;
}

// "event_type key" per row: compact to compare in an EXPECT.
inline std::vector<std::string> Summaries(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row.event_type + " " + row.key);
  return out;
}

}  // namespace storefront::testing

// Test support: reads back what a test's changes appended to inventory.outbox.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "storefront/events/v1/envelope.pb.h"

namespace storefront::inventory::test_support {

struct OutboxRow {
  std::int64_t id = 0;
  std::string topic;
  std::string key;
  std::string event_type;
  storefront::events::v1::EventEnvelope envelope;

  template <typename Payload>
  Payload As() const {
    Payload payload;
    if (!payload.ParseFromString(envelope.payload())) throw std::runtime_error("payload does not parse");
    return payload;
  }
};

// The rows keyed by any of `keys` (the test's own fresh product and order ids), oldest first.
inline std::vector<OutboxRow> OutboxRowsFor(pqxx::transaction_base& txn, const std::set<std::string>& keys) {
  std::string array = "{";
  for (const auto& key : keys) array += (array.size() > 1 ? "," : "") + key;
  array += "}";
  std::vector<OutboxRow> rows;
  for (const auto& row : txn.exec_params("SELECT id, topic, key, event_type, envelope FROM inventory.outbox"
                                         " WHERE key = ANY($1::text[]) ORDER BY id",
                                         array)) {
    OutboxRow out{row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                  row[3].as<std::string>(), {}};
    if (!out.envelope.ParseFromString(pqxx::binarystring(row[4]).str())) throw std::runtime_error("bad envelope");
    rows.push_back(std::move(out));
  }
  return rows;
}

inline std::vector<OutboxRow> OutboxRowsFor(const std::string& dsn, const std::set<std::string>& keys) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction txn(connection);
  return OutboxRowsFor(txn, keys);
}

// Hands out the rows appended since its previous call, among those keyed by `keys`: what one
// step of a test announced.
class OutboxCursor {
 public:
  explicit OutboxCursor(std::string dsn) : dsn_(std::move(dsn)) {}
  std::vector<OutboxRow> NewRows(const std::set<std::string>& keys) {
    std::vector<OutboxRow> fresh;
    for (auto& row : OutboxRowsFor(dsn_, keys)) {
      if (row.id > last_id_) fresh.push_back(std::move(row));
    }
    pqxx::connection connection(dsn_);
    pqxx::nontransaction txn(connection);
    last_id_ = txn.exec("SELECT coalesce(max(id), 0) FROM inventory.outbox")[0][0].as<std::int64_t>();
    return fresh;
  }

 private:
  std::string dsn_;
  std::int64_t last_id_ = 0;
};

// "event_type key" per row: compact to compare in an EXPECT.
inline std::vector<std::string> Summaries(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row.event_type + " " + row.key);
  return out;
}

}  // namespace storefront::inventory::test_support

// For tests: what a change wrote to payments.outbox, decoded, so a test can check that each
// change announced exactly what it should (type, key, payload) and nothing else.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "storefront/events/v1/envelope.pb.h"

namespace storefront::payments::test_support {

struct OutboxRow {
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

// The rows with `key`, oldest first, as `txn` sees them (its own uncommitted ones included).
inline std::vector<OutboxRow> OutboxRows(pqxx::transaction_base& txn, const std::string& key) {
  std::vector<OutboxRow> rows;
  const std::string sql = "SELECT topic, key, event_type, envelope FROM payments.outbox WHERE key = $1 ORDER BY id";
  for (const auto& row : txn.exec_params(sql, key)) {
    OutboxRow out{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), {}};
    pqxx::binarystring bytes(row[3]);
    if (!out.envelope.ParseFromString(bytes.str())) throw std::runtime_error("outbox envelope does not parse");
    rows.push_back(std::move(out));
  }
  return rows;
}

// The same on a connection of its own: only what was committed.
inline std::vector<OutboxRow> OutboxRows(const std::string& dsn, const std::string& key) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction txn(connection);
  return OutboxRows(txn, key);
}

// Just the event types, for the common check.
inline std::vector<std::string> EventTypes(const std::vector<OutboxRow>& rows) {
  std::vector<std::string> types;
  for (const auto& row : rows) types.push_back(row.event_type);
  return types;
}

}  // namespace storefront::payments::test_support

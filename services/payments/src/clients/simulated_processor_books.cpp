#include "clients/simulated_processor_books.h"

#include <pqxx/pqxx>

#include <stdexcept>

#include "shared/db/statement.h"

namespace storefront::payments::clients {
namespace {

const char* const kFindSql =
    "SELECT processor_key, operation, reference, amount_minor, currency, result, decline_code"
    " FROM simulated_processor_books WHERE processor_key = $1";
// ON CONFLICT DO NOTHING waits for a concurrent transaction keeping the same key; the SELECT that
// follows (a statement of its own, so it sees that transaction's commit) reads the first entry.
const char* const kKeepSql =
    "INSERT INTO simulated_processor_books (processor_key, operation, reference, amount_minor, currency, result,"
    " decline_code) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (processor_key) DO NOTHING";

std::optional<BookEntry> Read(pqxx::transaction_base& txn, const std::string& key) {
  auto rows = db::Exec(txn, kFindSql, key);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  auto operation = domain::ParseOperation(row[1].as<std::string>());
  if (!operation) throw std::runtime_error("unexpected operation in simulated_processor_books");
  return BookEntry{row[0].as<std::string>(),
                   *operation,
                   row[2].as<std::string>(),
                   {row[3].as<std::int64_t>(), row[4].as<std::string>()},
                   row[5].as<std::string>() == "succeeded",
                   row[6].as<std::string>()};
}

}  // namespace

std::optional<BookEntry> InMemoryProcessorBooks::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

BookEntry InMemoryProcessorBooks::Keep(const BookEntry& entry) {
  std::lock_guard lock(mutex_);
  return entries_.try_emplace(entry.key, entry).first->second;
}

std::optional<BookEntry> PgProcessorBooks::Find(const std::string& key) {
  return db::WithReadOnly(pool_, [&](pqxx::nontransaction& txn) { return Read(txn, key); });
}

BookEntry PgProcessorBooks::Keep(const BookEntry& entry) {
  return db::WithTransaction(pool_, [&](pqxx::work& txn) {
    db::Exec(txn, kKeepSql, entry.key, std::string(domain::ToString(entry.operation)), entry.reference,
                  entry.amount.amount_minor, entry.amount.currency, entry.succeeded ? "succeeded" : "declined",
                  entry.decline_code);
    auto kept = Read(txn, entry.key);
    if (!kept) throw std::runtime_error("simulated processor entry vanished while being kept");
    return *kept;
  });
}

}  // namespace storefront::payments::clients

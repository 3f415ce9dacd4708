// The simulated card processor's books: what it did for each idempotency key, so that it answers
// a key it has seen with its first outcome, as a real processor does, and tells the sweeper what
// happened to a key (CardProcessor::Outcome).
//
// This is the processor's side, not payments': a real gateway keeps these books itself. Two
// implementations: in memory (unit tests), and a table of the payments schema,
// simulated_processor_books (migrations/V004), for the running service, so that the books
// outlive a restart of the process the simulator lives in. Each entry is written in a transaction
// of its own from the pool, never in a payments transaction: a rolled-back payments transaction
// cannot take back what "the processor" did, just as with a real one.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "domain/payment.h"
#include "shared/db/pool.h"

namespace storefront::payments::clients {

struct BookEntry {
  std::string key;
  domain::Operation operation = domain::Operation::kAuthorize;
  std::string reference;  // the hold placed (authorize) or acted on
  domain::Money amount;
  bool succeeded = false;
  std::string decline_code;  // when it did not succeed
  bool operator==(const BookEntry&) const = default;
};

class ProcessorBooks {
 public:
  virtual ~ProcessorBooks() = default;
  virtual std::optional<BookEntry> Find(const std::string& key) = 0;
  // Keeps `entry` unless its key has an entry already; returns the entry kept, the first. Two
  // callers racing with one key both get the same entry back.
  virtual BookEntry Keep(const BookEntry& entry) = 0;
};

class InMemoryProcessorBooks final : public ProcessorBooks {
 public:
  std::optional<BookEntry> Find(const std::string& key) override;
  BookEntry Keep(const BookEntry& entry) override;

 private:
  std::mutex mutex_;
  std::map<std::string, BookEntry> entries_;
};

class PgProcessorBooks final : public ProcessorBooks {
 public:
  // Connections of the service's pool, for transactions of their own.
  explicit PgProcessorBooks(db::Pool& pool) : pool_(pool) {}
  std::optional<BookEntry> Find(const std::string& key) override;
  BookEntry Keep(const BookEntry& entry) override;

 private:
  db::Pool& pool_;
};

}  // namespace storefront::payments::clients

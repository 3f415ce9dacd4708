// Test support for payments' tests against a real PostgreSQL (repo/ and consumers/): a fixture
// base that migrates the schema once per suite, a card processor that counts the calls it gets
// (over the simulated processor and its books in the database), what those books say the
// processor did for a payment, lists of event types to compare outbox rows with, and waits for
// blocked sessions and for other threads.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app.h"
#include "clients/simulated_card_processor.h"
#include "shared/db/migrations.h"
#include "shared/testing/postgres.h"

namespace storefront::payments::testing {

inline std::vector<std::string> Types(std::initializer_list<std::string_view> types) {
  return {types.begin(), types.end()};
}

// Waits until `done()` holds, polling; false if it never does. For tests whose threads must be
// seen to overlap (one inside the processor while the others finish): a condition, not a time.
inline bool Await(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a condition, not timing anything
  }
  return false;
}

// What the (simulated) processor's books say it did for a payment: "<operation> <result>" per
// key, oldest first. How a test tells "called twice" from "charged twice".
inline std::vector<std::string> ProcessorActions(const std::string& payment_id) {
  pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("payments"));
  pqxx::nontransaction txn(connection);
  std::vector<std::string> actions;
  for (const auto& row : txn.exec_params("SELECT operation || ' ' || result FROM simulated_processor_books"
                                         " WHERE processor_key LIKE $1 || ':%' ORDER BY recorded_at,"
                                         " array_position(ARRAY['authorize', 'capture', 'void', 'refund'], operation),"
                                         " processor_key",
                                         payment_id)) {
    actions.push_back(row[0].as<std::string>());
  }
  return actions;
}

// The one intent of `operation` among a payment's (its authorization's, its capture's, ...).
// Intents recorded at the same instant (tests fix the clock) come back in no useful order, so
// tests pick them by operation.
inline domain::ProcessorIntent IntentOf(const std::vector<domain::ProcessorIntent>& intents,
                                        domain::Operation operation) {
  std::optional<domain::ProcessorIntent> found;
  for (const auto& intent : intents) {
    if (intent.operation != operation) continue;
    if (found) throw std::logic_error("more than one intent of that operation");
    found = intent;
  }
  if (!found) throw std::logic_error("no intent of that operation");
  return *found;
}

// Waits until `count` other sessions of the payments role are blocked on a lock (a row, a key, a
// table or an order's advisory lock), so a concurrency test knows its requests really overlapped:
// one holds the lock while every other one waits in PostgreSQL. Returns false if that never
// happens.
inline bool AwaitLockWaiters(int count) {
  pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("payments"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pqxx::nontransaction txn(connection);
    auto waiting = txn.exec(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = current_user AND wait_event_type = 'Lock'"
        " AND pid <> pg_backend_pid()")[0][0]
                       .as<int>();
    if (waiting >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a condition, not timing anything
  }
  return false;
}

// The simulated processor, with its books in the test database, counting the calls it gets, so a
// test can show that a retry or a redelivery did not even ask (what the processor did is in its
// books: ProcessorActions). `pause` runs inside the first Authorize or Refund call, before the
// simulator acts, while that request holds no database transaction.
class CountingProcessor final : public domain::CardProcessor {
 public:
  explicit CountingProcessor(db::Pool& pool) : books_(pool), inner_(books_) {}

  domain::AuthorizationResult Authorize(const std::string& key, const domain::Card& card,
                                        const domain::Money& amount) override {
    if (++authorizations == 1 && pause) pause();
    return inner_.Authorize(key, card, amount);
  }
  void Capture(const std::string& key, const std::string& reference, const domain::Money& amount) override {
    ++captures;
    inner_.Capture(key, reference, amount);
  }
  void Void(const std::string& key, const std::string& reference) override {
    ++voids;
    inner_.Void(key, reference);
  }
  void Refund(const std::string& key, const std::string& reference, const domain::Money& amount) override {
    if (++refunds == 1 && pause) pause();
    inner_.Refund(key, reference, amount);
  }
  domain::ProcessorOutcome Outcome(const std::string& key) override {
    ++lookups;
    return inner_.Outcome(key);
  }

  std::atomic<int> authorizations{0};
  std::atomic<int> captures{0};
  std::atomic<int> voids{0};
  std::atomic<int> refunds{0};
  std::atomic<int> lookups{0};
  std::function<void()> pause;

 private:
  clients::PgProcessorBooks books_;
  clients::SimulatedCardProcessor inner_;
};

// Tests that share the throwaway database: the service's migrations are applied once per suite.
class PaymentsDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pqxx::connection connection(storefront::testing::SharedPostgres().Dsn("payments"));
    db::Migrate(connection, "payments", AllMigrations());
  }
};

}  // namespace storefront::payments::testing

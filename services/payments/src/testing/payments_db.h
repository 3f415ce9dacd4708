// Test support for payments' tests against a real PostgreSQL (repo/ and consumers/): a fixture
// base that migrates the schema once per suite, a card processor that counts what it would
// charge, lists of event types to compare outbox rows with, and a wait for blocked sessions.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
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

// The simulated processor, counting the calls that would charge a card, so a test can show that
// a retry or a redelivery charged nothing. `pause` runs inside the first Authorize or Refund call,
// while that request holds its locks.
class CountingProcessor final : public domain::CardProcessor {
 public:
  domain::AuthorizationResult Authorize(const std::string& payment_id, const domain::Card& card,
                                        const domain::Money& amount) override {
    if (++authorizations == 1 && pause) pause();
    return inner_.Authorize(payment_id, card, amount);
  }
  void Capture(const std::string& reference, const domain::Money& amount) override {
    ++captures;
    inner_.Capture(reference, amount);
  }
  void Void(const std::string& reference) override { inner_.Void(reference); }
  void Refund(const std::string& reference, const domain::Money& amount) override {
    if (++refunds == 1 && pause) pause();
    inner_.Refund(reference, amount);
  }

  std::atomic<int> authorizations{0};
  std::atomic<int> captures{0};
  std::atomic<int> refunds{0};
  std::function<void()> pause;

 private:
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

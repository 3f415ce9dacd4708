// A fixed-size pool of PostgreSQL connections (libpqxx).
//
// Connections open lazily, up to `size`. Acquire() hands one out as a Lease that returns it
// on destruction; a caller waits at most `acquire_timeout` when all are in use, then gets
// PoolExhausted (the service maps it to UNAVAILABLE rather than queueing forever). The db_pool_*
// figures show connections in use, the acquires that waited and for how long.
// A connection found broken when it comes back is dropped and reopened on next use, so a
// PostgreSQL restart costs failed requests, not a restarted service.
//
// Deadline propagation: a connection taken for a caller with a deadline has a statement_timeout
// that fits what is left of it. The pool remembers each connection's setting, so a call whose
// budget the setting already fits sends nothing extra; only a connection whose setting does not
// fit (or that has one when work without a deadline takes it) costs one SET round trip.
#pragma once

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

#include "shared/types/deadline.h"

namespace storefront::db {

class PoolExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pool {
 public:
  // A connection's session statement_timeout as the pool last set it, in ms; kServerDefault:
  // never set, or set back to the server's default.
  static constexpr std::int64_t kServerDefault = -1;

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> connection, std::int64_t statement_timeout_ms)
        : pool_(pool), connection_(std::move(connection)), statement_timeout_ms_(statement_timeout_ms) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }
    // Closes the connection, so the pool opens a fresh one instead of reusing it.
    void Discard() { connection_->disconnect(); }

   private:
    friend class Pool;
    Pool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    std::int64_t statement_timeout_ms_;
  };

  // Runs on every newly opened connection: the place to register prepared statements.
  using OnConnect = std::function<void(pqxx::connection&)>;

  Pool(std::string dsn, std::size_t size,
       std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5), OnConnect on_connect = {});
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection with the server's default statement_timeout (none: background work). Throws
  // PoolExhausted after acquire_timeout, or pqxx::broken_connection when the database cannot be
  // reached.
  Lease Acquire();
  // For work done for a caller: inside a deadline::Scope, a connection whose statement_timeout
  // fits what is left of the deadline once the connection is taken (at most that, at least four
  // fifths of it); outside one, as Acquire(). DeadlineExceeded when nothing is left, before or
  // after waiting for a connection.
  Lease AcquireForCaller();

  // Opens one connection and runs `SELECT 1`; used by readiness checks.
  bool Ping();
  // Another pool of `size` connections to the same database, with the same on_connect: a
  // bulkhead for work that must not wait behind (or starve) this pool's callers.
  std::unique_ptr<Pool> Sibling(std::size_t size) const {
    return std::make_unique<Pool>(dsn_, size, acquire_timeout_, on_connect_);
  }

  std::size_t size() const { return size_; }

 private:
  struct Idle {
    std::unique_ptr<pqxx::connection> connection;
    std::int64_t statement_timeout_ms;
  };
  Lease Take();
  // Sets the lease's connection to `statement_budget`'s timeout, or back to the server's default.
  static void FitStatementTimeout(Lease& lease, std::optional<std::chrono::milliseconds> statement_budget);
  void Release(std::unique_ptr<pqxx::connection> connection, std::int64_t statement_timeout_ms);

  const std::string dsn_;
  const std::size_t size_;
  const std::chrono::milliseconds acquire_timeout_;
  const OnConnect on_connect_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Idle> idle_;
  std::size_t open_ = 0;  // handed out + idle
};

namespace internal {

// Deadline propagation into the database: work done for a caller with a deadline
// (deadline::Scope) gets what is left of it as its statement timeout, so PostgreSQL stops a
// statement nobody will wait for. Nullopt outside any deadline (background work: the server's
// default applies); DeadlineExceeded when nothing is left, before a connection is taken.
std::optional<std::chrono::milliseconds> StatementBudget();

// The statement_timeout set for a budget of `budget_ms`: rounded down to its three leading bits
// (at least four fifths of it), so calls with similar budgets find it already set.
std::int64_t TimeoutFor(std::int64_t budget_ms);
// Whether a connection set to `set_ms` may run a statement for a caller with `budget_ms` left:
// never longer than the budget, and not much shorter.
bool Fits(std::int64_t set_ms, std::int64_t budget_ms);

}  // namespace internal

// Runs `work(txn)` in a read-write transaction and commits it; retries once on a
// serialization failure or a broken connection, which are worth one more try. Inside a
// deadline::Scope the transaction's statements get the remaining budget as their timeout.
template <typename Fn>
auto WithTransaction(Pool& pool, Fn&& work) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool.AcquireForCaller();
      pqxx::work txn(*lease);
      if constexpr (std::is_void_v<decltype(work(txn))>) {
        work(txn);
        txn.commit();
        return;
      } else {
        auto result = work(txn);
        txn.commit();
        return result;
      }
    } catch (const pqxx::serialization_failure&) {
      if (attempt >= 1) throw;
    } catch (const pqxx::broken_connection&) {
      if (attempt >= 1) throw;
    }
  }
}

// Runs `work(txn)` on a nontransaction: each statement commits on its own, one round trip
// instead of BEGIN / query / COMMIT. For single-statement reads; retries once on a broken
// connection. Inside a deadline::Scope the statements get the remaining budget as their timeout.
template <typename Fn>
auto WithReadOnly(Pool& pool, Fn&& work) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool.AcquireForCaller();
      pqxx::nontransaction txn(*lease);
      return work(txn);
    } catch (const pqxx::broken_connection&) {
      if (attempt >= 1) throw;
    }
  }
}

}  // namespace storefront::db

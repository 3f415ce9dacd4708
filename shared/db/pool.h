// A fixed-size pool of PostgreSQL connections (libpqxx).
//
// Connections open lazily, up to `size`. Acquire() hands one out as a Lease that returns it
// on destruction; a caller waits at most `acquire_timeout` when all are in use, then gets
// PoolExhausted (the service maps it to UNAVAILABLE rather than queueing forever).
// A connection found broken when it comes back is dropped and reopened on next use, so a
// PostgreSQL restart costs failed requests, not a restarted service.
#pragma once

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace storefront::db {

class PoolExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // Runs on every newly opened connection: the place to register prepared statements.
  using OnConnect = std::function<void(pqxx::connection&)>;

  Pool(std::string dsn, std::size_t size,
       std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5), OnConnect on_connect = {});
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Throws PoolExhausted after acquire_timeout, or pqxx::broken_connection when the
  // database cannot be reached.
  Lease Acquire();

  // Opens one connection and runs `SELECT 1`; used by readiness checks.
  bool Ping();
  // Another pool of `size` connections to the same database, with the same on_connect: a
  // bulkhead for work that must not wait behind (or starve) this pool's callers.
  std::unique_ptr<Pool> Sibling(std::size_t size) const {
    return std::make_unique<Pool>(dsn_, size, acquire_timeout_, on_connect_);
  }

  std::size_t size() const { return size_; }

 private:
  void Release(std::unique_ptr<pqxx::connection> connection);

  const std::string dsn_;
  const std::size_t size_;
  const std::chrono::milliseconds acquire_timeout_;
  const OnConnect on_connect_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;  // handed out + idle
};

// Runs `work(txn)` in a read-write transaction and commits it; retries once on a
// serialization failure or a broken connection, which are worth one more try.
template <typename Fn>
auto WithTransaction(Pool& pool, Fn&& work) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool.Acquire();
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
// connection.
template <typename Fn>
auto WithReadOnly(Pool& pool, Fn&& work) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease = pool.Acquire();
      pqxx::nontransaction txn(*lease);
      return work(txn);
    } catch (const pqxx::broken_connection&) {
      if (attempt >= 1) throw;
    }
  }
}

}  // namespace storefront::db

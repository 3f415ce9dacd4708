#include "shared/db/pool.h"

#include <bit>
#include <cstdint>

#include "shared/metrics/metrics.h"

namespace storefront::db {
namespace {

// The figures of every pool of the process together (a service has one; a bulkhead would add a
// sibling): connections handed out, the most there may be, and the acquires that had to wait.
struct PoolFigures {
  prometheus::Gauge& in_use;
  prometheus::Gauge& max;
  prometheus::Counter& waits;
  prometheus::Histogram& wait_seconds;
  prometheus::Counter& exhausted;
};

PoolFigures& Figures() {
  static PoolFigures figures{
      metrics::Gauges("db_pool_connections_in_use", "Database connections handed out to callers.").Add({}),
      metrics::Gauges("db_pool_connections_max", "Database connections the pools may open.").Add({}),
      metrics::Counters("db_pool_waits_total", "Acquires that found every connection in use and waited.").Add({}),
      metrics::Histograms("db_pool_wait_seconds", "How long acquires that waited for a connection waited.")
          .Add({}, metrics::LatencyBuckets()),
      metrics::Counters("db_pool_exhausted_total", "Acquires that gave up: no connection free in time.").Add({})};
  return figures;
}

}  // namespace

Pool::Lease::~Lease() {
  if (pool_ != nullptr && connection_) pool_->Release(std::move(connection_), statement_timeout_ms_);
}

Pool::Pool(std::string dsn, std::size_t size, std::chrono::milliseconds acquire_timeout, OnConnect on_connect)
    : dsn_(std::move(dsn)),
      size_(size == 0 ? 1 : size),
      acquire_timeout_(acquire_timeout),
      on_connect_(std::move(on_connect)) {
  Figures().max.Increment(static_cast<double>(size_));
}

Pool::~Pool() {
  Figures().max.Decrement(static_cast<double>(size_));
}

Pool::Lease Pool::Acquire() {
  Lease lease = Take();
  FitStatementTimeout(lease, std::nullopt);
  return lease;
}

Pool::Lease Pool::AcquireForCaller() {
  internal::StatementBudget();  // a caller with nothing left takes no connection
  Lease lease = Take();
  // What is left now: waiting for the connection took some of it.
  FitStatementTimeout(lease, internal::StatementBudget());
  return lease;
}

void Pool::FitStatementTimeout(Lease& lease, std::optional<std::chrono::milliseconds> statement_budget) {
  const std::int64_t wanted = statement_budget ? statement_budget->count() : kServerDefault;
  std::int64_t& set = lease.statement_timeout_ms_;
  const bool fits = statement_budget ? internal::Fits(set, wanted) : set == kServerDefault;
  if (fits) return;
  try {
    if (statement_budget) {
      const std::int64_t timeout = internal::TimeoutFor(wanted);
      pqxx::nontransaction(*lease).exec("SET statement_timeout = " + std::to_string(timeout));
      set = timeout;
    } else {
      pqxx::nontransaction(*lease).exec("SET statement_timeout = DEFAULT");
      set = kServerDefault;
    }
  } catch (...) {
    lease.Discard();  // its setting is unknown: never hand it to the next caller
    throw;
  }
}

Pool::Lease Pool::Take() {
  std::unique_lock lock(mutex_);
  auto free = [&] { return !idle_.empty() || open_ < size_; };
  if (!free()) {
    auto& figures = Figures();
    figures.waits.Increment();
    auto waited_since = std::chrono::steady_clock::now();
    bool ready = available_.wait_for(lock, acquire_timeout_, free);
    figures.wait_seconds.Observe(metrics::SecondsSince(waited_since));
    if (!ready) {
      figures.exhausted.Increment();
      throw PoolExhausted("no database connection free within " + std::to_string(acquire_timeout_.count()) + " ms");
    }
  }
  if (!idle_.empty()) {
    Idle idle = std::move(idle_.back());
    idle_.pop_back();
    Figures().in_use.Increment();
    return Lease(this, std::move(idle.connection), idle.statement_timeout_ms);
  }
  ++open_;
  lock.unlock();
  try {
    auto connection = std::make_unique<pqxx::connection>(dsn_);
    if (on_connect_) on_connect_(*connection);
    Figures().in_use.Increment();
    return Lease(this, std::move(connection), kServerDefault);
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> connection, std::int64_t statement_timeout_ms) {
  Figures().in_use.Decrement();
  std::lock_guard lock(mutex_);
  if (connection->is_open()) {
    idle_.push_back({std::move(connection), statement_timeout_ms});
  } else {
    --open_;  // broken: let the next Acquire open a fresh one
  }
  available_.notify_one();
}

bool Pool::Ping() {
  try {
    auto lease = Acquire();
    pqxx::nontransaction txn(*lease);
    txn.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

namespace internal {

std::optional<std::chrono::milliseconds> StatementBudget() {
  if (!deadline::Current()) return std::nullopt;
  deadline::ThrowIfSpent("the database work");
  // At least 1 ms: 0 would mean "no timeout" to PostgreSQL.
  return std::max(std::chrono::milliseconds(1), deadline::Remaining(std::chrono::hours(1)));
}

std::int64_t TimeoutFor(std::int64_t budget_ms) {
  if (budget_ms < 8) return budget_ms;
  const int drop = std::bit_width(static_cast<std::uint64_t>(budget_ms)) - 3;
  return (budget_ms >> drop) << drop;
}

bool Fits(std::int64_t set_ms, std::int64_t budget_ms) {
  return set_ms > 0 && set_ms <= budget_ms && set_ms * 5 >= budget_ms * 4;
}

}  // namespace internal

}  // namespace storefront::db

#include "shared/db/pool.h"

namespace storefront::db {

Pool::Lease::~Lease() {
  if (pool_ != nullptr && connection_) pool_->Release(std::move(connection_));
}

Pool::Pool(std::string dsn, std::size_t size, std::chrono::milliseconds acquire_timeout, OnConnect on_connect)
    : dsn_(std::move(dsn)),
      size_(size == 0 ? 1 : size),
      acquire_timeout_(acquire_timeout),
      on_connect_(std::move(on_connect)) {}

Pool::Lease Pool::Acquire() {
  std::unique_lock lock(mutex_);
  bool ready = available_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || open_ < size_; });
  if (!ready) throw PoolExhausted("no database connection free within " +
                                  std::to_string(acquire_timeout_.count()) + " ms");
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  try {
    auto connection = std::make_unique<pqxx::connection>(dsn_);
    if (on_connect_) on_connect_(*connection);
    return Lease(this, std::move(connection));
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  if (connection->is_open()) {
    idle_.push_back(std::move(connection));
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

void LimitTransaction(pqxx::transaction_base& txn, std::chrono::milliseconds budget) {
  txn.exec("SET LOCAL statement_timeout = " + std::to_string(budget.count()));
}

SessionStatementTimeout::SessionStatementTimeout(Pool::Lease& lease, std::optional<std::chrono::milliseconds> budget)
    : lease_(lease) {
  if (!budget) return;
  pqxx::nontransaction(*lease_).exec("SET statement_timeout = " + std::to_string(budget->count()));
  set_ = true;
}

SessionStatementTimeout::~SessionStatementTimeout() {
  if (!set_) return;
  try {
    pqxx::nontransaction(*lease_).exec("SET statement_timeout = DEFAULT");
  } catch (const std::exception&) {
    lease_.Discard();  // never hand a connection with someone's short timeout to the next caller
  }
}

}  // namespace internal

}  // namespace storefront::db

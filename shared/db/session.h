// Where a repository runs its statements: in a transaction of its own from the pool (a use case
// called over gRPC), or inside a transaction its caller owns (an event handler, which applies the
// change in the same transaction that records the event in the inbox). A repository holds one
// Session and sends every statement through Write or Read, so it reads the same either way.
#pragma once

#include <pqxx/pqxx>

#include "shared/db/pool.h"

namespace storefront::db {

class Session {
 public:
  explicit Session(Pool& pool) : pool_(&pool) {}
  // The connection must have been prepared like the pool's (any connection of the pool is).
  explicit Session(pqxx::work& txn) : txn_(&txn) {}

  // A change: committed in a transaction of its own (WithTransaction, one retry), or run in a
  // savepoint of the caller's transaction, so a statement that fails (a shortage rolled back, a
  // duplicate key retried) leaves the caller's transaction usable.
  template <typename Fn>
  auto Write(Fn&& work) {
    if (txn_ == nullptr) {
      return WithTransaction(*pool_, [&](pqxx::work& txn) { return work(static_cast<pqxx::transaction_base&>(txn)); });
    }
    pqxx::subtransaction savepoint(*txn_);
    if constexpr (std::is_void_v<decltype(work(static_cast<pqxx::transaction_base&>(savepoint)))>) {
      work(static_cast<pqxx::transaction_base&>(savepoint));
      savepoint.commit();
    } else {
      auto result = work(static_cast<pqxx::transaction_base&>(savepoint));
      savepoint.commit();
      return result;
    }
  }

  // A read: without BEGIN/COMMIT from the pool (WithReadOnly), or on the caller's transaction,
  // which sees its own uncommitted changes.
  template <typename Fn>
  auto Read(Fn&& work) {
    if (txn_ != nullptr) return work(static_cast<pqxx::transaction_base&>(*txn_));
    return WithReadOnly(*pool_, [&](pqxx::nontransaction& txn) { return work(static_cast<pqxx::transaction_base&>(txn)); });
  }

 private:
  Pool* pool_ = nullptr;
  pqxx::work* txn_ = nullptr;
};

}  // namespace storefront::db

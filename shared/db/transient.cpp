#include "shared/db/transient.h"

#include <pqxx/except>

#include <string>

#include "shared/db/pool.h"

namespace storefront::db {

bool IsTransient(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr ||
      dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr ||
      dynamic_cast<const PoolExhausted*>(&e) != nullptr) {
    return true;
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    return state == "55P03" || state == "57014" || state == "57P01" || state == "57P02" || state == "57P03" ||
           state == "53300" || state == "40001" || state == "40P01";
  }
  return false;
}

}  // namespace storefront::db

// Reading the store's conventions out of a result row (see shared/types/time.h): timestamps are
// selected as bigint microseconds (STOREFRONT_SQL_MICROS), so a nullable one is a nullable bigint.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>

#include "shared/types/time.h"

namespace storefront::db {

// A timestamp column selected with STOREFRONT_SQL_MICROS.
inline types::Timestamp TimeField(const pqxx::field& field) { return types::FromMicros(field.as<std::int64_t>()); }

// The same for a nullable column: nullopt for NULL.
inline std::optional<types::Timestamp> OptionalTimeField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return TimeField(field);
}

}  // namespace storefront::db

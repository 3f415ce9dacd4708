// Reading the store's conventions out of a result row, and writing them as parameters (see shared/types/time.h): timestamps are
// selected as bigint microseconds (STOREFRONT_SQL_MICROS), so a nullable one is a nullable bigint.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>

#include "shared/types/time.h"

// STOREFRONT_SQL_TIMESTAMP_OF(expression): a bigint SQL expression (microseconds) as a timestamptz,
// for values that come from a row rather than a parameter (STOREFRONT_SQL_TIMESTAMP(n) in
// shared/types/time.h is the parameter's form): STOREFRONT_SQL_TIMESTAMP_OF("s.micros").
#define STOREFRONT_SQL_TIMESTAMP_OF(expression) "('epoch'::timestamptz + (" expression ")::bigint * interval '1 microsecond')"

namespace storefront::db {

// A timestamp column selected with STOREFRONT_SQL_MICROS.
inline types::Timestamp TimeField(const pqxx::field& field) { return types::FromMicros(field.as<std::int64_t>()); }

// The same for a nullable column: nullopt for NULL.
inline std::optional<types::Timestamp> OptionalTimeField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return TimeField(field);
}

// A nullable timestamp as a statement parameter: bigint microseconds, or NULL for nullopt.
inline std::optional<std::int64_t> OptionalMicros(const std::optional<types::Timestamp>& at) {
  if (!at) return std::nullopt;
  return types::ToMicros(*at);
}

}  // namespace storefront::db

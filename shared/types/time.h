// Time as the store keeps it: system_clock time points, stored in PostgreSQL as timestamptz and
// carried across SQL and proto as whole microseconds since the Unix epoch (the resolution both
// sides hold exactly).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace storefront::types {

using Timestamp = std::chrono::system_clock::time_point;
// Injected wherever the time matters, so tests fix it instead of sleeping.
using Clock = std::function<Timestamp()>;

Timestamp SystemNow();

std::int64_t ToMicros(Timestamp at);
Timestamp FromMicros(std::int64_t micros);

}  // namespace storefront::types

// SQL fragments for the microsecond convention, as string literals so they concatenate into
// statement text at compile time:
//   "UPDATE t SET at = " STOREFRONT_SQL_TIMESTAMP(2) " WHERE id = $1"
//   "SELECT " STOREFRONT_SQL_MICROS("created_at") " FROM t"
// STOREFRONT_SQL_TIMESTAMP(n): the bigint parameter $n (microseconds) as a timestamptz.
#define STOREFRONT_SQL_TIMESTAMP(n) "('epoch'::timestamptz + $" #n "::bigint * interval '1 microsecond')"
// STOREFRONT_SQL_MICROS(column): a timestamptz column (or expression) as bigint microseconds.
#define STOREFRONT_SQL_MICROS(column) "(extract(epoch FROM " column ") * 1000000)::bigint"

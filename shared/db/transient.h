// Which database failures say nothing about the request or event that met them: the database is
// away or restarting, a wait ran out, a transaction lost a race. Worth retrying; reported as
// UNAVAILABLE (rpc::CurrentExceptionToStatus) and waited out by event consumers
// (events::IsTransient), never treated as the caller's fault or as a bug.
#pragma once

#include <exception>

namespace storefront::db {

// A broken connection, an exhausted pool, a commit whose outcome is unknown, a serialization
// failure or deadlock, and by SQLSTATE: lock_not_available (a lock_timeout), query_canceled (a
// statement_timeout), admin_shutdown / crash_shutdown / cannot_connect_now (a restart), and
// too_many_connections.
bool IsTransient(const std::exception& e);

}  // namespace storefront::db

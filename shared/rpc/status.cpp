#include "shared/rpc/status.h"

#include <pqxx/except>

#include "shared/db/pool.h"
#include "shared/db/transient.h"
#include "shared/errors/errors.h"
#include "shared/log/log.h"

namespace storefront::rpc {

std::optional<deadline::Clock::time_point> CallerDeadline(const grpc::ServerContext& context) {
  auto at = context.deadline();
  // gRPC reports "no deadline" as the far future.
  if (at >= deadline::Clock::time_point::max() - std::chrono::hours(24 * 365)) return std::nullopt;
  return at;
}

grpc::Status CurrentExceptionToStatus() {
  try {
    throw;
  } catch (const InvalidArgument& e) {
    return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
  } catch (const NotFound& e) {
    return {grpc::StatusCode::NOT_FOUND, e.what()};
  } catch (const AlreadyExists& e) {
    return {grpc::StatusCode::ALREADY_EXISTS, e.what()};
  } catch (const FailedPrecondition& e) {
    return {grpc::StatusCode::FAILED_PRECONDITION, e.what()};
  } catch (const Aborted& e) {
    return {grpc::StatusCode::ABORTED, e.what()};
  } catch (const DeadlineExceeded& e) {
    return {grpc::StatusCode::DEADLINE_EXCEEDED, e.what()};
  } catch (const Unavailable& e) {
    return {grpc::StatusCode::UNAVAILABLE, e.what()};
  } catch (const db::PoolExhausted& e) {
    return {grpc::StatusCode::UNAVAILABLE, "database busy"};
  } catch (const pqxx::broken_connection& e) {
    log::Error("database unreachable", {{"error", e.what()}});
    return {grpc::StatusCode::UNAVAILABLE, "database unavailable"};
  } catch (const std::exception& e) {
    if (db::IsTransient(e)) {
      // A restart, a timeout or a lost race: the caller may try again (with its key, if it writes).
      log::Warn("database unavailable for now", {{"error", e.what()}});
      return {grpc::StatusCode::UNAVAILABLE, "database unavailable"};
    }
    log::Error("unhandled error", {{"error", e.what()}});
    return {grpc::StatusCode::INTERNAL, "internal error"};
  } catch (...) {
    log::Error("unhandled non-standard exception");
    return {grpc::StatusCode::INTERNAL, "internal error"};
  }
}

grpc::Status WithDetail(const grpc::Status& status, const google::protobuf::Message& detail) {
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.error_code()));
  rich.set_message(status.error_message());
  rich.add_details()->PackFrom(detail);
  return {status.error_code(), status.error_message(), rich.SerializeAsString()};
}

}  // namespace storefront::rpc

#include "shared/rpc/interceptors.h"

#include <chrono>
#include <string>

#include "shared/log/log.h"

namespace storefront::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

class LoggingInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit LoggingInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method()), started_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find("x-request-id");
      if (it != metadata->end()) request_id_.assign(it->second.data(), it->second.size());
      if (!log::IsValidRequestId(request_id_)) request_id_.clear();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
      nlohmann::json fields = {{"method", method_},
                               {"code", static_cast<int>(status.error_code())},
                               {"duration_ms", static_cast<double>(elapsed.count()) / 1000.0}};
      if (!request_id_.empty()) fields["request_id"] = request_id_;
      if (!status.ok()) fields["error"] = status.error_message();
      bool server_fault = status.error_code() == grpc::StatusCode::INTERNAL ||
                          status.error_code() == grpc::StatusCode::UNKNOWN ||
                          status.error_code() == grpc::StatusCode::DATA_LOSS;
      if (server_fault) log::Error("rpc finished", fields);
      else log::Info("rpc finished", fields);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::string request_id_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

grpc::experimental::Interceptor* LoggingInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Health checks are polled constantly; logging them would drown everything else.
  std::string method = info->method();
  if (method.rfind("/grpc.health.v1.Health/", 0) == 0) return nullptr;
  return new LoggingInterceptor(info);
}

}  // namespace storefront::rpc

#include "shared/rpc/interceptors.h"

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "shared/log/log.h"
#include "shared/metrics/metrics.h"
#include "shared/trace/span.h"

namespace storefront::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr std::string_view kHealthPrefix = "/grpc.health.v1.Health/";

std::string_view CodeName(grpc::StatusCode code) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",        "CANCELLED",          "UNKNOWN",         "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED",  "INTERNAL",         "UNAVAILABLE",       "DATA_LOSS",
      "UNAUTHENTICATED"};
  auto index = static_cast<std::size_t>(code);
  return index < kNames.size() ? kNames[index] : "UNKNOWN";
}

// A fault of the server's own (as opposed to the caller's, or a dependency's refusal): logged
// as an error.
bool IsServerFault(grpc::StatusCode code) {
  return code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::DATA_LOSS;
}

// A call the service failed, in the sense of the error-ratio rules and the operator's dashboard
// (infra/prometheus/rules: grpc_code=~"UNKNOWN|DEADLINE_EXCEEDED|UNIMPLEMENTED|INTERNAL|UNAVAILABLE|
// DATA_LOSS"): its server span is marked failed, so the traces an alert leads to show the errors
// it counted. The caller's own mistakes (INVALID_ARGUMENT, NOT_FOUND, ...) are not failures.
bool IsServiceError(grpc::StatusCode code) {
  return IsServerFault(code) || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::UNIMPLEMENTED || code == grpc::StatusCode::UNAVAILABLE;
}

// The figures of one method on one side (server or client), looked up once per call: label sets
// are built when a method or code is first seen, not on every call.
class MethodFigures {
 public:
  MethodFigures(prometheus::Family<prometheus::Counter>& handled, prometheus::Family<prometheus::Histogram>& seconds,
                std::string service, std::string method)
      : handled_(handled),
        service_(std::move(service)),
        method_(std::move(method)),
        duration_(seconds.Add({{"grpc_service", service_}, {"grpc_method", method_}}, metrics::LatencyBuckets())) {}

  void Observe(grpc::StatusCode code, double seconds) {
    duration_.Observe(seconds);
    auto index = static_cast<std::size_t>(code) < by_code_.size() ? static_cast<std::size_t>(code) : 2;
    auto* counter = by_code_[index].load(std::memory_order_acquire);
    if (counter == nullptr) {
      counter = &handled_.Add({{"grpc_service", service_},
                               {"grpc_method", method_},
                               {"grpc_code", std::string(CodeName(static_cast<grpc::StatusCode>(index)))}});
      by_code_[index].store(counter, std::memory_order_release);
    }
    counter->Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  std::string service_;
  std::string method_;
  prometheus::Histogram& duration_;
  std::array<std::atomic<prometheus::Counter*>, 17> by_code_{};
};

// Figures by full method name ("/storefront.catalog.v1.CatalogService/GetProduct"). A server is
// asked only for the methods it serves, but a client may name anything: past a few hundred
// methods, the rest share one "other" entry so that the series stay bounded.
class FiguresByMethod {
 public:
  FiguresByMethod(std::string_view side)
      : handled_(metrics::Counters("grpc_" + std::string(side) + "_handled_total",
                                   "RPCs completed on the " + std::string(side) + " side, by method and status code.")),
        seconds_(metrics::Histograms("grpc_" + std::string(side) + "_handling_seconds",
                                     "Duration of RPCs on the " + std::string(side) + " side, to the status.")) {}

  MethodFigures& For(const std::string& full_method) {
    std::lock_guard lock(mutex_);
    auto it = figures_.find(full_method);
    if (it != figures_.end()) return *it->second;
    auto slash = full_method.rfind('/');
    bool known = slash != std::string::npos && slash > 1 && figures_.size() < kMaxMethods;
    std::string key = known ? full_method : "other";
    auto& entry = figures_[key];
    if (!entry) {
      entry = known ? std::make_unique<MethodFigures>(handled_, seconds_, full_method.substr(1, slash - 1),
                                                      full_method.substr(slash + 1))
                    : std::make_unique<MethodFigures>(handled_, seconds_, "other", "other");
    }
    return *entry;
  }

 private:
  static constexpr std::size_t kMaxMethods = 256;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<MethodFigures>> figures_;
};

FiguresByMethod& ServerFigures() {
  static FiguresByMethod figures("server");
  return figures;
}

FiguresByMethod& ClientFigures() {
  static FiguresByMethod figures("client");
  return figures;
}

// The server spans of the calls in flight, by call, for rpc::Handle.
struct ServerSpans {
  std::mutex mutex;
  std::unordered_map<const grpc::ServerContextBase*, trace::SpanContext> by_call;
};

ServerSpans& InFlight() {
  static ServerSpans spans;
  return spans;
}

std::string ShortName(std::string_view full_method) {
  auto slash = full_method.rfind('/');
  auto dot = full_method.rfind('.', slash);
  if (slash == std::string_view::npos || dot == std::string_view::npos) return std::string(full_method);
  return std::string(full_method.substr(dot + 1));  // "CatalogService/GetProduct"
}

class ServerObserver : public grpc::experimental::Interceptor {
 public:
  explicit ServerObserver(grpc::experimental::ServerRpcInfo* info)
      : context_(info->server_context()),
        method_(info->method()),
        figures_(ServerFigures().For(method_)),
        started_(std::chrono::steady_clock::now()) {}

  ~ServerObserver() override {
    if (!span_) return;
    auto& spans = InFlight();
    std::lock_guard lock(spans.mutex);
    spans.by_call.erase(context_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto id = metadata->find("x-request-id");
      if (id != metadata->end()) request_id_.assign(id->second.data(), id->second.size());
      if (!log::IsValidRequestId(request_id_)) request_id_.clear();
      std::optional<trace::SpanContext> parent;
      if (auto header = metadata->find("traceparent"); header != metadata->end()) {
        parent = trace::ParseTraceparent(std::string_view(header->second.data(), header->second.size()));
      }
      span_.emplace(parent ? trace::Span::ChildOf(*parent, ShortName(method_), trace::Kind::kServer)
                           : trace::Span::Root(ShortName(method_), trace::Kind::kServer));
      auto& spans = InFlight();
      std::lock_guard lock(spans.mutex);
      spans.by_call[context_] = span_->context();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) Finish(methods->GetSendStatus());
    methods->Proceed();
  }

 private:
  void Finish(const grpc::Status& status) {
    double seconds = metrics::SecondsSince(started_);
    figures_.Observe(status.error_code(), seconds);
    nlohmann::json fields = {{"method", method_},
                             {"code", static_cast<int>(status.error_code())},
                             {"duration_ms", seconds * 1000.0}};
    if (!request_id_.empty()) fields["request_id"] = request_id_;
    if (!status.ok()) fields["error"] = status.error_message();
    if (span_) {
      fields["trace_id"] = span_->context().TraceIdHex();
      fields["span_id"] = span_->context().SpanIdHex();
      span_->Tag("rpc.grpc.status_code", CodeName(status.error_code()));
      if (IsServiceError(status.error_code())) span_->Fail(status.error_message());
      span_->End();
    }
    if (IsServerFault(status.error_code())) log::Error("rpc finished", fields);
    else log::Info("rpc finished", fields);
  }

  const grpc::ServerContextBase* context_;
  std::string method_;
  MethodFigures& figures_;
  std::chrono::steady_clock::time_point started_;
  std::string request_id_;
  std::optional<trace::Span> span_;
};

class ClientObserver : public grpc::experimental::Interceptor {
 public:
  explicit ClientObserver(grpc::experimental::ClientRpcInfo* info)
      : figures_(ClientFigures().For(info->method())),
        span_(trace::Span::Start(ShortName(info->method()), trace::Kind::kClient)),
        started_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("traceparent", span_.context().Traceparent());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      const grpc::Status* status = methods->GetRecvStatus();
      figures_.Observe(status->error_code(), metrics::SecondsSince(started_));
      span_.Tag("rpc.grpc.status_code", CodeName(status->error_code()));
      if (!status->ok()) span_.Fail(status->error_message());
      span_.End();
    }
    methods->Proceed();
  }

 private:
  MethodFigures& figures_;
  trace::Span span_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

grpc::experimental::Interceptor* ServerObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  if (std::string_view(info->method()).substr(0, kHealthPrefix.size()) == kHealthPrefix) return nullptr;
  return new ServerObserver(info);
}

grpc::experimental::Interceptor* ClientObserverFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* info) {
  if (std::string_view(info->method()).substr(0, kHealthPrefix.size()) == kHealthPrefix) return nullptr;
  return new ClientObserver(info);
}

std::optional<trace::SpanContext> ServerSpanOf(const grpc::ServerContextBase* context) {
  auto& spans = InFlight();
  std::lock_guard lock(spans.mutex);
  auto it = spans.by_call.find(context);
  if (it == spans.by_call.end()) return std::nullopt;
  return it->second;
}

}  // namespace storefront::rpc

// What makes a process observable, started once in main() of every service and of the gateway:
// its /metrics endpoint (METRICS_ADDR) and the export of its spans (TRACE_EXPORT_URL), both
// stopped when it is destroyed, spans still queued sent on the way out.
//
//   service::Observability observability("catalog", config.observability);
#pragma once

#include <memory>
#include <string_view>

#include "shared/config/service_settings.h"
#include "shared/metrics/metrics.h"

namespace storefront::service {

class Observability {
 public:
  Observability(std::string_view process, const config::ObservabilitySettings& settings);
  ~Observability();
  Observability(const Observability&) = delete;
  Observability& operator=(const Observability&) = delete;

  // The port /metrics is served on; 0 without METRICS_ADDR.
  int metrics_port() const { return endpoint_ ? endpoint_->port() : 0; }

 private:
  std::unique_ptr<metrics::Endpoint> endpoint_;
  bool exporting_ = false;
};

}  // namespace storefront::service

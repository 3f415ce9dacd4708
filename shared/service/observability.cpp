#include "shared/service/observability.h"

#include "shared/log/log.h"
#include "shared/trace/span.h"

namespace storefront::service {

Observability::Observability(std::string_view process, const config::ObservabilitySettings& settings) {
  if (!settings.metrics_address.empty()) {
    endpoint_ = std::make_unique<metrics::Endpoint>(settings.metrics_address);
    log::Info("metrics served", {{"address", settings.metrics_address}, {"port", endpoint_->port()}, {"path", "/metrics"}});
  }
  if (!settings.trace_export_url.empty()) {
    trace::StartExport({.url = settings.trace_export_url, .service = std::string(process)});
    exporting_ = true;
    log::Info("spans exported", {{"url", settings.trace_export_url}, {"format", "zipkin v2 json"}});
  }
}

Observability::~Observability() {
  if (exporting_) trace::StopExport();
}

}  // namespace storefront::service

// Where the operator console's figures and trace links come from, read from the gateway's
// environment (apart from METRICS_ADDR and TRACE_EXPORT_URL, which every process reads to expose
// its own figures and spans: shared/config/service_settings.h):
//   PROMETHEUS_URL  the Prometheus server the dashboard's live figures come from
//                   (http(s)://host[:port][/prefix]); unset: GET /api/v1/admin/observability
//                   answers 503 observability-unavailable
//   TRACE_UI_URL    the tracing backend's page of one trace is this followed by the trace id
//                   (Zipkin: http://host:9411/zipkin/traces/); unset: orders carry no trace_url
#pragma once

#include <optional>
#include <string>

#include "shared/config/env.h"

namespace storefront::gateway::observability {

struct ConsoleSettings {
  std::string prometheus_url;
  std::string trace_ui_url;
};

// Both optional; a value that is not an http(s) URL is a configuration problem recorded in `env`.
ConsoleSettings ReadConsoleSettings(config::Env& env);

// Why `url` is not an absolute http:// or https:// URL with a host (and, unless `allow_query`,
// without a query or fragment), or nullopt when it is one.
std::optional<std::string> HttpUrlProblem(const std::string& url, bool allow_query);

}  // namespace storefront::gateway::observability

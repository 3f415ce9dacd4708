#include "observability/settings.h"

#include <algorithm>

namespace storefront::gateway::observability {

std::optional<std::string> HttpUrlProblem(const std::string& url, bool allow_query) {
  const bool printable = std::all_of(url.begin(), url.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (!printable) return "must be a URL without spaces or control characters";
  std::string rest;
  if (url.rfind("http://", 0) == 0) rest = url.substr(7);
  else if (url.rfind("https://", 0) == 0) rest = url.substr(8);
  else return "must start with http:// or https://";
  const std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':') return "must name a host";
  // The URL is shown to operators (the console, problem details, logs): no credentials in it.
  if (host.find('@') != std::string::npos) return "must not carry a user name or password";
  if (!allow_query && rest.find_first_of("?#") != std::string::npos) return "must not have a query or fragment";
  return std::nullopt;
}

ConsoleSettings ReadConsoleSettings(config::Env& env) {
  ConsoleSettings settings;
  settings.prometheus_url = env.String("PROMETHEUS_URL", "");
  settings.trace_ui_url = env.String("TRACE_UI_URL", "");
  if (!settings.prometheus_url.empty()) {
    // The gateway appends /api/v1/query to it, so it is a base URL only.
    if (auto problem = HttpUrlProblem(settings.prometheus_url, /*allow_query=*/false)) {
      env.Problem("PROMETHEUS_URL " + *problem + ", e.g. http://127.0.0.1:9090");
    }
  }
  if (!settings.trace_ui_url.empty()) {
    // The trace id is appended as it is, so a backend that takes it as a query value works too.
    if (auto problem = HttpUrlProblem(settings.trace_ui_url, /*allow_query=*/true)) {
      env.Problem("TRACE_UI_URL " + *problem + ", e.g. http://127.0.0.1:9411/zipkin/traces/");
    }
  }
  return settings;
}

}  // namespace storefront::gateway::observability

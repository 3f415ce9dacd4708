// What a test reads back from the process's metrics (shared/metrics): the value of one series,
// named as Prometheus' text format prints it (labels sorted by name), 0 while it does not exist.
// Tests compare differences (after - before), so figures other tests left behind do not matter.
#pragma once

#include <string>

#include "shared/metrics/metrics.h"

namespace storefront::testing {

inline double Figure(const std::string& series) {
  const std::string text = metrics::Text();
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
}

}  // namespace storefront::testing

#include "routes/json_mapping.h"

#include <algorithm>
#include <cctype>

namespace storefront::gateway::routes {

nlohmann::json MoneyJson(const storefront::common::v1::Money& money) {
  return {{"amount_minor", money.amount_minor()}, {"currency", money.currency()}};
}

std::string EnumName(const std::string& full, const std::string& prefix) {
  std::string name = full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

bool IsUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace storefront::gateway::routes

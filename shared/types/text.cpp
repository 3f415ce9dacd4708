#include "shared/types/text.h"

#include <algorithm>

namespace storefront::types {

bool HasControlCharacters(std::string_view text, std::string_view allowed) {
  return std::any_of(text.begin(), text.end(), [allowed](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 || u == 0x7f) && allowed.find(c) == std::string_view::npos;
  });
}

bool IsCustomerId(std::string_view text) {
  if (text.empty() || text.size() > kMaxCustomerIdLength) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool IsSku(std::string_view text) {
  if (text.size() < 3 || text.size() > 32) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; });
}

void ValidateCustomerId(std::string_view customer_id, Violations& violations) {
  if (!IsCustomerId(customer_id)) violations.Add("customer_id", "must be 1 to 64 characters of A-Z, a-z, 0-9, - and _");
}

void RequiredText(std::string_view value, std::size_t max, const std::string& field, Violations& violations) {
  const bool blank = std::all_of(value.begin(), value.end(), [](char c) { return c == ' '; });
  if (blank || value.size() > max || HasControlCharacters(value)) {
    violations.Add(field, "is required: 1 to " + std::to_string(max) + " characters without control characters");
  }
}

void OptionalText(std::string_view value, std::size_t max, const std::string& field, Violations& violations) {
  if (value.size() > max || HasControlCharacters(value)) {
    violations.Add(field, "must be at most " + std::to_string(max) + " characters without control characters");
  }
}

}  // namespace storefront::types

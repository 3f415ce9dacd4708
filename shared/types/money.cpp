#include "shared/types/money.h"

namespace storefront::types {

bool IsCurrency(std::string_view text) {
  if (text.size() != 3) return false;
  for (char c : text) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

std::string FormatMoney(const Money& money) {
  const std::int64_t magnitude = money.amount_minor < 0 ? -money.amount_minor : money.amount_minor;
  const std::int64_t cents = magnitude % 100;
  std::string text = money.amount_minor < 0 ? "-" : "";
  text += std::to_string(magnitude / 100);
  text += cents < 10 ? ".0" : ".";
  text += std::to_string(cents);
  text += ' ';
  text += money.currency;
  return text;
}

}  // namespace storefront::types

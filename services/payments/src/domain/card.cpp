#include "domain/card.h"

#include <cctype>

namespace storefront::payments::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

int PrefixValue(std::string_view digits, std::size_t length) {
  int value = 0;
  for (std::size_t i = 0; i < length && i < digits.size(); ++i) value = value * 10 + (digits[i] - '0');
  return value;
}

}  // namespace

std::optional<std::string> NormalizeCardNumber(std::string_view number) {
  std::string digits;
  digits.reserve(number.size());
  for (char c : number) {
    if (IsDigit(c)) digits.push_back(c);
    else if (c != ' ' && c != '-') return std::nullopt;
    if (digits.size() > kMaxCardDigits) return std::nullopt;
  }
  if (digits.size() < kMinCardDigits) return std::nullopt;
  return digits;
}

bool PassesLuhn(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return false;
  int sum = 0;
  bool double_it = false;  // every second digit from the right, the check digit excluded
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

CardBrand BrandOf(std::string_view digits) {
  if (digits.size() < 4 || !AllDigits(digits.substr(0, 4))) return CardBrand::kUnknown;
  const int two = PrefixValue(digits, 2);
  const int four = PrefixValue(digits, 4);
  if (digits[0] == '4') return CardBrand::kVisa;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return CardBrand::kMastercard;
  if (two == 34 || two == 37) return CardBrand::kAmex;
  if (four == 6011 || two == 65) return CardBrand::kDiscover;
  return CardBrand::kUnknown;
}

bool IsExpired(int exp_month, int exp_year, Timestamp now) {
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now)};
  const int year = static_cast<int>(today.year());
  const int month = static_cast<int>(static_cast<unsigned>(today.month()));
  return exp_year < year || (exp_year == year && exp_month < month);
}

void Validate(const Card& card, Violations& violations) {
  auto digits = NormalizeCardNumber(card.number);
  if (!digits) {
    violations.Add("card.number", "must be 12 to 19 digits (spaces and dashes allowed between them)");
  } else if (!PassesLuhn(*digits)) {
    violations.Add("card.number", "is not a valid card number (Luhn check failed)");
  }
  if (card.exp_month < 1 || card.exp_month > 12) violations.Add("card.exp_month", "must be between 1 and 12");
  if (card.exp_year < 1000 || card.exp_year > 9999) violations.Add("card.exp_year", "must be a four-digit year");
  if (card.cvc.size() < 3 || card.cvc.size() > 4 || !AllDigits(card.cvc)) {
    violations.Add("card.cvc", "must be 3 or 4 digits");
  }
}

}  // namespace storefront::payments::domain

// Card details and the rules that can be checked without asking the issuer.
//
// Card holds the number and CVC for the length of one Authorize call only. Nothing in this
// service stores, logs or prints them, and no error message quotes them: a Payment keeps the
// brand and last four digits. Card deliberately has no operator<< and no ToString.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/payment.h"
#include "shared/errors/errors.h"

namespace storefront::payments::domain {

struct Card {
  std::string number;  // as typed: spaces and dashes between digits are accepted
  int exp_month = 0;   // 1..12
  int exp_year = 0;    // four digits
  std::string cvc;     // 3 or 4 digits
};

inline constexpr std::size_t kMinCardDigits = 12;
inline constexpr std::size_t kMaxCardDigits = 19;

// The digits of `number` with spaces and dashes removed; nullopt when anything else is in it
// or the digit count is outside 12..19.
std::optional<std::string> NormalizeCardNumber(std::string_view number);
// The Luhn (mod 10) checksum every real card number satisfies; catches most typos.
bool PassesLuhn(std::string_view digits);
// From the number's prefix (IIN ranges): visa 4, mastercard 51-55 and 2221-2720, amex 34 and 37,
// discover 6011 and 65.
CardBrand BrandOf(std::string_view digits);
// A card is good through the last day of its expiry month (UTC).
bool IsExpired(int exp_month, int exp_year, Timestamp now);

// Adds a violation, under "card.<field>", for each field that breaks a rule. The messages never
// contain the card's number or CVC.
void Validate(const Card& card, Violations& violations);

}  // namespace storefront::payments::domain

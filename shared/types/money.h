// Money: an integer number of minor units (cents) and an ISO 4217 currency code. Never a float.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace storefront::types {

struct Money {
  std::int64_t amount_minor = 0;
  std::string currency;  // ISO 4217, e.g. "USD"
  bool operator==(const Money&) const = default;
};

// Three upper-case ASCII letters, the shape of an ISO 4217 code ("USD"). Which codes a service
// takes is its own rule; this is only the shape every one of them shares.
bool IsCurrency(std::string_view text);

// "12.34 USD", for messages and logs (two minor digits, as every currency the store sells in has).
std::string FormatMoney(const Money& money);

}  // namespace storefront::types

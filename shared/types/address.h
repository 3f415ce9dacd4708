// A postal address, as storefront.common.v1.Address carries it between checkout and shipping,
// and the one rule both apply to it: checkout refuses at once what shipping would refuse after
// payment.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/errors/errors.h"

namespace storefront::types {

struct Address {
  std::string name;
  std::string line1;
  std::string line2;
  std::string city;
  std::string region;
  std::string postal_code;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  bool operator==(const Address&) const = default;
};

inline constexpr std::size_t kMaxRecipientNameLength = 100;
inline constexpr std::size_t kMaxAddressLineLength = 200;
inline constexpr std::size_t kMaxCityLength = 100;
inline constexpr std::size_t kMaxRegionLength = 100;
inline constexpr std::size_t kMaxPostalCodeLength = 20;

// An officially assigned ISO 3166-1 alpha-2 code, upper case (user-assigned codes such as XK
// are out).
bool IsCountryCode(std::string_view text);
// Countries whose addresses carry no postal code, such as HK.
bool HasNoPostalCodes(std::string_view country);

// Name, line1 and city required; line2 and region optional; a known country; a postal code
// unless the country has none. Fields are named "<prefix>.name", ...
void Validate(const Address& address, std::string_view prefix, Violations& violations);

}  // namespace storefront::types

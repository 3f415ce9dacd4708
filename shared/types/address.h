// A postal address, as storefront.common.v1.Address carries it between checkout and shipping.
#pragma once

#include <string>

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

}  // namespace storefront::types

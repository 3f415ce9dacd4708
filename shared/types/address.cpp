#include "shared/types/address.h"

#include <algorithm>
#include <array>

#include "shared/types/text.h"

namespace storefront::types {
namespace {

// Officially assigned ISO 3166-1 alpha-2 codes (249), sorted for binary search. Matches Debian's
// iso-codes (/usr/share/iso-codes/json/iso_3166-1.json); user-assigned codes such as XK are out.
constexpr std::array<std::string_view, 249> kCountryCodes = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB",
    "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
    "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX",
    "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
    "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
    "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA",
    "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE",
    "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG",
    "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
    "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY",
    "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};

// Countries whose addresses carry no postal code (the contract's "e.g. HK"), sorted.
constexpr std::array<std::string_view, 59> kNoPostalCodeCountries = {
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI",
    "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM",
    "KN", "KP", "LY", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR",
    "SS", "ST", "SY", "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW"};

}  // namespace

bool IsCountryCode(std::string_view text) {
  return std::binary_search(kCountryCodes.begin(), kCountryCodes.end(), text);
}

bool HasNoPostalCodes(std::string_view country) {
  return std::binary_search(kNoPostalCodeCountries.begin(), kNoPostalCodeCountries.end(), country);
}

void Validate(const Address& address, std::string_view prefix, Violations& v) {
  const std::string p = std::string(prefix) + ".";
  RequiredText(address.name, kMaxRecipientNameLength, p + "name", v);
  RequiredText(address.line1, kMaxAddressLineLength, p + "line1", v);
  OptionalText(address.line2, kMaxAddressLineLength, p + "line2", v);
  RequiredText(address.city, kMaxCityLength, p + "city", v);
  OptionalText(address.region, kMaxRegionLength, p + "region", v);
  const bool country_ok = IsCountryCode(address.country);
  if (!country_ok) v.Add(p + "country", "must be an ISO 3166-1 alpha-2 code in upper case, such as US or DE");
  if (country_ok && HasNoPostalCodes(address.country)) {
    OptionalText(address.postal_code, kMaxPostalCodeLength, p + "postal_code", v);
  } else {
    RequiredText(address.postal_code, kMaxPostalCodeLength, p + "postal_code", v);
  }
}

}  // namespace storefront::types

#include "domain/shipment.h"

#include <algorithm>
#include <array>
#include <set>

#include "shared/types/uuid.h"

namespace storefront::shipping::domain {
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

// No control characters (C0 or DEL): they have no place on a label or a packing slip.
bool IsCleanText(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' '; });
}

void RequiredText(const std::string& value, std::size_t max, const std::string& field, Violations& v) {
  if (IsBlank(value) || value.size() > max || !IsCleanText(value)) {
    v.Add(field, "is required: 1 to " + std::to_string(max) + " characters without control characters");
  }
}

void OptionalText(const std::string& value, std::size_t max, const std::string& field, Violations& v) {
  if (value.size() > max || !IsCleanText(value)) {
    v.Add(field, "must be at most " + std::to_string(max) + " characters without control characters");
  }
}

}  // namespace

bool IsSku(std::string_view text) {
  if (text.size() < 3 || text.size() > 32) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool IsCountryCode(std::string_view text) {
  return std::binary_search(kCountryCodes.begin(), kCountryCodes.end(), text);
}

bool HasNoPostalCodes(std::string_view country) {
  return std::binary_search(kNoPostalCodeCountries.begin(), kNoPostalCodeCountries.end(), country);
}

bool IsKnown(ShipmentStatus status) {
  switch (status) {
    case ShipmentStatus::kLabelCreated:
    case ShipmentStatus::kDispatched:
    case ShipmentStatus::kDelivered:
    case ShipmentStatus::kCancelled:
      return true;
    default:
      return false;
  }
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

void ValidateCustomerId(const std::string& customer_id, Violations& v) {
  bool visible = std::all_of(customer_id.begin(), customer_id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (customer_id.empty() || customer_id.size() > kMaxCustomerIdLength || !visible) {
    v.Add("customer_id", "is required: 1 to 64 printable ASCII characters without spaces");
  }
}

void Validate(const std::vector<ShipmentItem>& items, Violations& v) {
  if (items.empty() || items.size() > kMaxShipmentLines) {
    v.Add("items", "must hold 1 to 100 lines");
    if (items.size() > kMaxShipmentLines) return;  // do not name a thousand bad lines
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const std::string p = "items[" + std::to_string(i) + "].";
    if (!types::IsUuid(item.product_id)) {
      v.Add(p + "product_id", "must be a product UUID");
    } else if (!seen.insert(item.product_id).second) {
      v.Add(p + "product_id", "appears on another line; send each product once with its total quantity");
    }
    if (!IsSku(item.sku)) v.Add(p + "sku", "must be 3 to 32 characters of A-Z, 0-9 and -");
    RequiredText(item.name, kMaxItemNameLength, p + "name", v);
    if (item.quantity < 1 || item.quantity > kMaxItemCount) v.Add(p + "quantity", "must be between 1 and 999");
  }
  if (TotalUnits(items) > kMaxItemCount) v.Add("items", "must hold at most 999 units in all");
}

int TotalUnits(const std::vector<ShipmentItem>& items) {
  std::int64_t total = 0;
  for (const auto& item : items) total += std::max(item.quantity, 0);
  return static_cast<int>(std::min<std::int64_t>(total, 1'000'000'000));
}

}  // namespace storefront::shipping::domain

// The rate table: what each shipping option costs, as a pure function of the quote's inputs.
//
// Prices are not stored anywhere. The same (country, item count, subtotal) always gives the same
// options and prices, so checkout re-quotes when it places the order instead of trusting a price
// the client sends back, and CreateShipment recomputes the option from its id and the address.
//
//   zone           id         carrier / service                  days  first unit  each extra  free from
//   domestic (US)  standard   USPS  / Ground Advantage             5    5.99        1.00        50.00
//                  express    UPS   / 2nd Day Air                  2   14.99        2.00          -
//                  overnight  FedEx / Priority Overnight           1   29.99        3.00          -
//   international  standard   DHL   / Parcel International        10   19.99        3.00       150.00
//                  express    DHL   / Express Worldwide            4   44.99        5.00          -
//   (USD shown; EUR and GBP have their own price lists, not exchange-rate conversions.)
//
// Nothing ships to Antarctica or the uninhabited territories BV and HM: an empty list.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/shipment.h"

namespace storefront::shipping::domain {

struct ShippingOption {
  std::string id;  // stable: "standard", "express", "overnight"
  std::string carrier;
  std::string service;
  Money price;  // in the subtotal's currency; zero when free shipping applies
  int estimated_days = 0;
  bool operator==(const ShippingOption&) const = default;
};

// A carrier service as CreateShipment needs it: who carries the parcel and how its tracking
// numbers start.
struct CarrierService {
  std::string option_id;
  std::string carrier;
  std::string service;
  std::string tracking_prefix;  // e.g. "UPS"; a tracking number is this plus 12 digits
};

// Currencies with a price list.
bool IsSupportedCurrency(std::string_view currency);

// The options for a parcel of `item_count` units to `country`, priced in `subtotal.currency`,
// cheapest first. Inputs must be valid (a known country, 1..999 units, a supported currency,
// a non-negative amount); GetQuotes validates them first.
std::vector<ShippingOption> Quote(std::string_view country, int item_count, const Money& subtotal);

// The carrier service behind `option_id` for `country`; nullopt when that option is not offered
// there (unknown id, overnight abroad, an unserved country).
std::optional<CarrierService> FindService(std::string_view option_id, std::string_view country);

}  // namespace storefront::shipping::domain

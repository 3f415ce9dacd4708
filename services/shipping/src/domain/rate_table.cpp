#include "domain/rate_table.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace storefront::shipping::domain {
namespace {

enum class Zone { kDomestic, kInternational, kUnserved };

// One price list entry, in minor units of its currency.
struct Rate {
  std::int64_t first_unit;
  std::int64_t each_extra_unit;
  std::int64_t free_from;  // subtotal at or above which the option is free; 0 = never free
};

struct Service {
  std::string_view id;
  Zone zone;
  std::string_view carrier;
  std::string_view service;
  std::string_view tracking_prefix;
  int estimated_days;
  Rate usd, eur, gbp;
};

// Rows are in the order of the table in rate_table.h.
constexpr std::array<Service, 5> kServices = {{
    {"standard", Zone::kDomestic, "USPS", "Ground Advantage", "USPS", 5,
     {599, 100, 5000}, {549, 90, 4500}, {499, 80, 4000}},
    {"express", Zone::kDomestic, "UPS", "2nd Day Air", "UPS", 2,
     {1499, 200, 0}, {1399, 180, 0}, {1199, 160, 0}},
    {"overnight", Zone::kDomestic, "FedEx", "Priority Overnight", "FEDEX", 1,
     {2999, 300, 0}, {2799, 280, 0}, {2399, 240, 0}},
    {"standard", Zone::kInternational, "DHL", "Parcel International", "DHL", 10,
     {1999, 300, 15000}, {1849, 280, 14000}, {1599, 240, 12000}},
    {"express", Zone::kInternational, "DHL", "Express Worldwide", "DHL", 4,
     {4499, 500, 0}, {4199, 460, 0}, {3599, 400, 0}},
}};

constexpr std::string_view kHomeCountry = "US";
constexpr std::array<std::string_view, 3> kUnservedCountries = {"AQ", "BV", "HM"};

Zone ZoneOf(std::string_view country) {
  if (country == kHomeCountry) return Zone::kDomestic;
  if (std::find(kUnservedCountries.begin(), kUnservedCountries.end(), country) != kUnservedCountries.end()) {
    return Zone::kUnserved;
  }
  return Zone::kInternational;
}

const Rate* RateIn(const Service& service, std::string_view currency) {
  if (currency == "USD") return &service.usd;
  if (currency == "EUR") return &service.eur;
  if (currency == "GBP") return &service.gbp;
  return nullptr;
}

}  // namespace

bool IsSupportedCurrency(std::string_view currency) { return RateIn(kServices[0], currency) != nullptr; }

std::vector<ShippingOption> Quote(std::string_view country, int item_count, const Money& subtotal) {
  std::vector<ShippingOption> options;
  const Zone zone = ZoneOf(country);
  for (const auto& service : kServices) {
    if (service.zone != zone) continue;
    const Rate* rate = RateIn(service, subtotal.currency);
    if (rate == nullptr) continue;
    const bool free = rate->free_from > 0 && subtotal.amount_minor >= rate->free_from;
    const std::int64_t extra_units = std::max(item_count, 1) - 1;
    const std::int64_t price = free ? 0 : rate->first_unit + rate->each_extra_unit * extra_units;
    options.push_back({std::string(service.id), std::string(service.carrier), std::string(service.service),
                       Money{price, subtotal.currency}, service.estimated_days});
  }
  // Cheapest first; a tie goes to the faster option.
  std::stable_sort(options.begin(), options.end(), [](const ShippingOption& a, const ShippingOption& b) {
    if (a.price.amount_minor != b.price.amount_minor) return a.price.amount_minor < b.price.amount_minor;
    return a.estimated_days < b.estimated_days;
  });
  return options;
}

std::optional<CarrierService> FindService(std::string_view option_id, std::string_view country) {
  const Zone zone = ZoneOf(country);
  for (const auto& service : kServices) {
    if (service.zone == zone && service.id == option_id) {
      return CarrierService{std::string(service.id), std::string(service.carrier), std::string(service.service),
                            std::string(service.tracking_prefix)};
    }
  }
  return std::nullopt;
}

}  // namespace storefront::shipping::domain

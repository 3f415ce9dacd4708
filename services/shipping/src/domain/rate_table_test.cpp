// The rate table as a pure function: exact prices, the zone rules, growth with units, the
// free-shipping threshold, per-currency price lists, and agreement with FindService.
#include "domain/rate_table.h"

#include <gtest/gtest.h>

namespace storefront::shipping::domain {
namespace {

std::vector<std::string> Ids(const std::vector<ShippingOption>& options) {
  std::vector<std::string> ids;
  for (const auto& option : options) ids.push_back(option.id);
  return ids;
}

const ShippingOption& ById(const std::vector<ShippingOption>& options, const std::string& id) {
  for (const auto& option : options) {
    if (option.id == id) return option;
  }
  throw std::runtime_error("no option " + id);
}

TEST(RateTableTest, DomesticOffersThreeOptionsCheapestFirst) {
  auto options = Quote("US", 1, {2000, "USD"});
  EXPECT_EQ(options, (std::vector<ShippingOption>{
                         {"standard", "USPS", "Ground Advantage", {599, "USD"}, 5},
                         {"express", "UPS", "2nd Day Air", {1499, "USD"}, 2},
                         {"overnight", "FedEx", "Priority Overnight", {2999, "USD"}, 1},
                     }));
}

TEST(RateTableTest, InternationalOffersStandardAndExpressAtHigherPrices) {
  auto abroad = Quote("DE", 1, {2000, "USD"});
  EXPECT_EQ(abroad, (std::vector<ShippingOption>{
                        {"standard", "DHL", "Parcel International", {1999, "USD"}, 10},
                        {"express", "DHL", "Express Worldwide", {4499, "USD"}, 4},
                    }));
  auto home = Quote("US", 1, {2000, "USD"});
  for (const auto& id : {"standard", "express"}) {
    EXPECT_GT(ById(abroad, id).price.amount_minor, ById(home, id).price.amount_minor) << id;
    EXPECT_GT(ById(abroad, id).estimated_days, ById(home, id).estimated_days) << id;
  }
}

TEST(RateTableTest, PriceGrowsWithEveryExtraUnit) {
  EXPECT_EQ(ById(Quote("US", 3, {0, "USD"}), "standard").price.amount_minor, 599 + 2 * 100);
  EXPECT_EQ(ById(Quote("US", 999, {0, "USD"}), "overnight").price.amount_minor, 2999 + 998 * 300);
  EXPECT_EQ(ById(Quote("FR", 10, {0, "USD"}), "express").price.amount_minor, 4499 + 9 * 500);
  for (const char* country : {"US", "JP"}) {
    std::int64_t previous = -1;
    for (int units = 1; units <= 999; ++units) {
      auto price = Quote(country, units, {0, "USD"}).front().price.amount_minor;
      EXPECT_GT(price, previous) << country << " " << units;
      previous = price;
    }
  }
}

TEST(RateTableTest, StandardIsFreeFromTheThresholdAndSortsFirst) {
  EXPECT_EQ(ById(Quote("US", 4, {4999, "USD"}), "standard").price.amount_minor, 599 + 300);
  auto free = Quote("US", 4, {5000, "USD"});
  EXPECT_EQ(free.front().id, "standard");
  EXPECT_EQ(free.front().price, (Money{0, "USD"}));
  EXPECT_GT(ById(free, "express").price.amount_minor, 0) << "only standard becomes free";

  EXPECT_EQ(ById(Quote("CA", 1, {14999, "USD"}), "standard").price.amount_minor, 1999);
  EXPECT_EQ(ById(Quote("CA", 1, {15000, "USD"}), "standard").price.amount_minor, 0);
}

TEST(RateTableTest, EachCurrencyHasItsOwnPriceListAndQuotesComeInTheSubtotalsCurrency) {
  auto eur = Quote("US", 1, {1000, "EUR"});
  auto gbp = Quote("US", 1, {1000, "GBP"});
  ASSERT_EQ(Ids(eur), (std::vector<std::string>{"standard", "express", "overnight"}));
  ASSERT_EQ(Ids(gbp), Ids(eur));
  for (const auto& option : eur) EXPECT_EQ(option.price.currency, "EUR");
  for (const auto& option : gbp) EXPECT_EQ(option.price.currency, "GBP");
  EXPECT_EQ(eur.front().price.amount_minor, 549);
  EXPECT_EQ(gbp.front().price.amount_minor, 499);
  EXPECT_EQ(ById(Quote("US", 1, {4000, "GBP"}), "standard").price.amount_minor, 0);
  EXPECT_EQ(ById(Quote("IT", 2, {0, "EUR"}), "express").price.amount_minor, 4199 + 460);
}

TEST(RateTableTest, OnlyUsdEurAndGbpAreSupported) {
  for (const char* ok : {"USD", "EUR", "GBP"}) EXPECT_TRUE(IsSupportedCurrency(ok));
  for (const char* bad : {"JPY", "usd", "", "US", "XXX"}) EXPECT_FALSE(IsSupportedCurrency(bad));
}

TEST(RateTableTest, NothingShipsToUnservedTerritories) {
  for (const char* nowhere : {"AQ", "BV", "HM"}) {
    EXPECT_TRUE(Quote(nowhere, 1, {1000, "USD"}).empty()) << nowhere;
    EXPECT_FALSE(FindService("standard", nowhere)) << nowhere;
  }
}

TEST(RateTableTest, IsAPureFunctionOfItsInputs) {
  for (const char* country : {"US", "DE", "HK"}) {
    for (int units : {1, 7, 999}) {
      for (std::int64_t subtotal : {0, 4999, 5000, 15000, 99'999'999}) {
        EXPECT_EQ(Quote(country, units, {subtotal, "EUR"}), Quote(country, units, {subtotal, "EUR"}));
      }
    }
  }
}

// CreateShipment relies on this: an id GetQuotes offered for an address resolves to the same
// carrier and service, and an id it did not offer resolves to nothing.
TEST(RateTableTest, FindServiceAgreesWithQuote) {
  for (const char* country : {"US", "GB", "AU", "AQ"}) {
    auto options = Quote(country, 2, {100, "USD"});
    for (const char* id : {"standard", "express", "overnight", "teleport", ""}) {
      auto service = FindService(id, country);
      auto quoted = std::find_if(options.begin(), options.end(), [&](const auto& o) { return o.id == id; });
      ASSERT_EQ(service.has_value(), quoted != options.end()) << country << " " << id;
      if (service) {
        EXPECT_EQ(service->carrier, quoted->carrier);
        EXPECT_EQ(service->service, quoted->service);
      }
    }
  }
  EXPECT_FALSE(FindService("overnight", "DE")) << "no overnight abroad";
  EXPECT_EQ(FindService("express", "US")->tracking_prefix, "UPS");
  EXPECT_EQ(FindService("express", "DE")->tracking_prefix, "DHL");
}

}  // namespace
}  // namespace storefront::shipping::domain

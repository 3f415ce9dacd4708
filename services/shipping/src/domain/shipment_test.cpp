#include "domain/shipment.h"

#include <gtest/gtest.h>

#include "shared/types/uuid.h"

namespace storefront::shipping::domain {
namespace {

Address ValidAddress() {
  return {"Ada Lovelace", "12 Analytical Way", "Apt 3", "Springfield", "IL", "62701", "US"};
}

template <typename Fn>
std::vector<std::string> FieldsOf(Fn validate) {
  Violations v;
  validate(v);
  return v.fields();
}

std::vector<std::string> AddressFields(const Address& address) {
  return FieldsOf([&](Violations& v) { Validate(address, "address", v); });
}

std::vector<std::string> ItemFields(const std::vector<ShipmentItem>& items) {
  return FieldsOf([&](Violations& v) { Validate(items, v); });
}

ShipmentItem Item(char digit, int quantity = 1) {
  return {std::string("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a1") + digit, "AUD-HP-0001", "Headphones", quantity};
}

TEST(AddressValidationTest, AcceptsAWellFormedAddressAndOptionalLinesMayBeEmpty) {
  EXPECT_TRUE(AddressFields(ValidAddress()).empty());
  Address a = ValidAddress();
  a.line2 = "";
  a.region = "";
  EXPECT_TRUE(AddressFields(a).empty());
}

TEST(AddressValidationTest, NamesEveryBadFieldWithItsPrefix) {
  Address a{"", " ", std::string(201, 'x'), "", std::string(101, 'r'), "", "usa"};
  EXPECT_EQ(AddressFields(a),
            (std::vector<std::string>{"address.name", "address.line1", "address.line2", "address.city",
                                      "address.region", "address.country", "address.postal_code"}));
}

TEST(AddressValidationTest, BoundsEveryLengthAndRejectsControlCharacters) {
  Address a = ValidAddress();
  a.name = std::string(100, 'n');
  a.line1 = std::string(200, 'l');
  a.city = std::string(100, 'c');
  a.postal_code = std::string(20, '9');
  EXPECT_TRUE(AddressFields(a).empty());
  a.name += "n";
  a.postal_code += "9";
  EXPECT_EQ(AddressFields(a), (std::vector<std::string>{"address.name", "address.postal_code"}));
  a = ValidAddress();
  a.city = std::string("Spring\nfield");
  a.line1 = std::string("12\0Way", 6);
  EXPECT_EQ(AddressFields(a), (std::vector<std::string>{"address.line1", "address.city"}));
}

TEST(AddressValidationTest, CountryMustBeAnAssignedUpperCaseAlpha2Code) {
  for (const char* ok : {"US", "DE", "GB", "HK", "JP", "AX", "ZW"}) EXPECT_TRUE(IsCountryCode(ok)) << ok;
  for (const char* bad : {"", "us", "Us", "USA", "U", "UK", "XK", "ZZ", "AA", "1A", "U\0"}) {
    EXPECT_FALSE(IsCountryCode(bad)) << bad;
  }
}

TEST(AddressValidationTest, PostalCodeIsRequiredExceptWhereTheCountryHasNone) {
  Address a = ValidAddress();
  a.postal_code = "";
  EXPECT_EQ(AddressFields(a), (std::vector<std::string>{"address.postal_code"}));
  a.country = "HK";  // the contract's example of a country without postal codes
  EXPECT_TRUE(AddressFields(a).empty());
  a.country = "DE";
  EXPECT_EQ(AddressFields(a), (std::vector<std::string>{"address.postal_code"}));
}

TEST(ShipmentItemsValidationTest, AcceptsDistinctProductsWithPositiveQuantities) {
  EXPECT_TRUE(ItemFields({Item('1', 2), Item('2', 997)}).empty());
}

TEST(ShipmentItemsValidationTest, NamesEachBadLine) {
  std::vector<ShipmentItem> items{Item('1'), Item('1'), {"nope", "bad sku", "", 0}};
  EXPECT_EQ(ItemFields(items),
            (std::vector<std::string>{"items[1].product_id", "items[2].product_id", "items[2].sku", "items[2].name",
                                      "items[2].quantity"}));
}

TEST(ShipmentItemsValidationTest, BoundsLinesAndUnits) {
  EXPECT_EQ(ItemFields({}), (std::vector<std::string>{"items"}));
  EXPECT_EQ(ItemFields({Item('1', 500), Item('2', 500)}), (std::vector<std::string>{"items"}));
  EXPECT_EQ(ItemFields(std::vector<ShipmentItem>(101, Item('1'))), (std::vector<std::string>{"items"}));
  EXPECT_EQ(ItemFields({Item('1', 1000)}), (std::vector<std::string>{"items[0].quantity", "items"}));
}

TEST(ShipmentItemsValidationTest, TotalUnitsSaturatesOnHostileQuantities) {
  std::vector<ShipmentItem> items(100, Item('1', 2'000'000'000));
  EXPECT_EQ(TotalUnits(items), 1'000'000'000);
  EXPECT_EQ(TotalUnits({Item('1', -5), Item('2', 3)}), 3);
}

TEST(CustomerIdValidationTest, IsOneTo64VisibleAsciiCharacters) {
  auto fields = [](const std::string& id) { return FieldsOf([&](Violations& v) { ValidateCustomerId(id, v); }); };
  EXPECT_TRUE(fields("cus_42").empty());
  EXPECT_TRUE(fields(std::string(64, 'c')).empty());
  for (const std::string& bad : {std::string(), std::string(65, 'c'), std::string("a b"), std::string("a\tb")}) {
    EXPECT_EQ(fields(bad), (std::vector<std::string>{"customer_id"})) << bad;
  }
}

TEST(IdentifierTest, RecognisesUuidsSkusAndStatuses) {
  EXPECT_TRUE(types::IsUuid("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_FALSE(types::IsUuid("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a1"));
  EXPECT_FALSE(types::IsUuid("0b6f6a3e_8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_TRUE(IsSku("AUD-HP-0001"));
  EXPECT_FALSE(IsSku("aud-hp-0001"));
  EXPECT_TRUE(IsKnown(ShipmentStatus::kDelivered));
  EXPECT_FALSE(IsKnown(ShipmentStatus::kUnspecified));
  EXPECT_FALSE(IsKnown(static_cast<ShipmentStatus>(42)));
}

}  // namespace
}  // namespace storefront::shipping::domain

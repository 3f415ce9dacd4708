#include "shared/types/address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace storefront::types {
namespace {

Address ValidAddress() {
  return {"Ada Lovelace", "12 Analytical Way", "Apt 3", "Springfield", "IL", "62701", "US"};
}

std::vector<std::string> AddressFields(const Address& address) {
  Violations v;
  Validate(address, "address", v);
  return v.fields();
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

}  // namespace
}  // namespace storefront::types

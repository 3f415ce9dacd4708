#include "domain/shipment.h"

#include <gtest/gtest.h>

#include "shared/types/uuid.h"

namespace storefront::shipping::domain {
namespace {

template <typename Fn>
std::vector<std::string> FieldsOf(Fn validate) {
  Violations v;
  validate(v);
  return v.fields();
}

std::vector<std::string> ItemFields(const std::vector<ShipmentItem>& items) {
  return FieldsOf([&](Violations& v) { Validate(items, v); });
}

ShipmentItem Item(char digit, int quantity = 1) {
  return {std::string("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a1") + digit, "AUD-HP-0001", "Headphones", quantity};
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

TEST(IdentifierTest, RecognisesUuidsAndStatuses) {
  EXPECT_TRUE(types::IsUuid("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_FALSE(types::IsUuid("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a1"));
  EXPECT_FALSE(types::IsUuid("0b6f6a3e_8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_TRUE(IsKnown(ShipmentStatus::kDelivered));
  EXPECT_FALSE(IsKnown(ShipmentStatus::kUnspecified));
  EXPECT_FALSE(IsKnown(static_cast<ShipmentStatus>(42)));
}

}  // namespace
}  // namespace storefront::shipping::domain

#include "domain/product.h"

#include <gtest/gtest.h>

#include "shared/types/money.h"
#include "shared/types/uuid.h"

namespace storefront::catalog::domain {
namespace {

NewProduct Valid() {
  return {"AUD-HP-0100", "Harbor Wireless Headphones", "Closed-back, 30 h battery.", {12999, "USD"}, "audio",
          "https://images.storefront.example/products/aud-hp-0100.jpg"};
}

std::vector<std::string> FieldsOf(const NewProduct& product) {
  Violations v;
  Validate(product, v);
  return v.fields();
}

TEST(ProductValidationTest, AcceptsAWellFormedProduct) { EXPECT_TRUE(FieldsOf(Valid()).empty()); }

TEST(ProductValidationTest, NamesEveryBadField) {
  NewProduct p = Valid();
  p.sku = "bad sku";
  p.name = "";
  p.price = {-1, "usd"};
  p.category_id = "Audio!";
  p.image_url = "javascript:alert(1)";
  EXPECT_EQ(FieldsOf(p), (std::vector<std::string>{"sku", "name", "price.amount_minor", "price.currency",
                                                   "category_id", "image_url"}));
}

TEST(ProductValidationTest, RejectsControlCharactersAndOversizedText) {
  NewProduct p = Valid();
  p.name = "Line\nbreak";
  p.description = std::string(kMaxDescriptionLength + 1, 'x');
  EXPECT_EQ(FieldsOf(p), (std::vector<std::string>{"name", "description"}));
}

TEST(ProductValidationTest, AnEmptyPatchIsRejected) {
  Violations v;
  Validate(ProductPatch{}, v);
  EXPECT_FALSE(v.empty());
}

// Product ids and currencies are the kernel's (shared/types); SKUs and category slugs the catalog's.
TEST(ProductValidationTest, RecognisesCategoryIds) {
  EXPECT_TRUE(IsCategoryId("home-kitchen"));
  EXPECT_FALSE(IsCategoryId("-home"));
  EXPECT_FALSE(IsCategoryId(""));
}

Product Stored() {
  Product p;
  p.id = "0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11";
  p.sku = "AUD-HP-0100";
  p.name = "Harbor Wireless Headphones";
  p.description = "Closed-back.";
  p.price = {12999, "USD"};
  p.category_id = "audio";
  p.active = true;
  return p;
}

TEST(ProductChangeTest, NamesEachChangedFieldInFieldOrder) {
  Product before = Stored();
  Product after = before;
  EXPECT_EQ(Compare(before, after), ProductChange{}) << "nothing changed, nothing to announce";
  after.image_url = "https://images.storefront.example/x.jpg";
  after.price = {12999, "EUR"};
  after.name = "Harbor II";
  after.description = "Open-back.";
  after.category_id = "computers";
  EXPECT_EQ(Compare(before, after).changed_fields,
            (std::vector<std::string>{"name", "description", "price", "category_id", "image_url"}));
  EXPECT_FALSE(Compare(before, after).deactivated);
}

TEST(ProductChangeTest, ADeactivationIsItsOwnEventAndAReactivationAChange) {
  Product active = Stored();
  Product inactive = active;
  inactive.active = false;
  EXPECT_EQ(Compare(active, inactive), (ProductChange{{}, true}));
  EXPECT_EQ(Compare(inactive, active), (ProductChange{{"active"}, false}));
  EXPECT_EQ(Compare(inactive, inactive), ProductChange{}) << "deactivating twice announces once";

  Product repriced_and_withdrawn = inactive;
  repriced_and_withdrawn.price = {9999, "USD"};
  EXPECT_EQ(Compare(active, repriced_and_withdrawn), (ProductChange{{"price"}, true}));
}

}  // namespace
}  // namespace storefront::catalog::domain

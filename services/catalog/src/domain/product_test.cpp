#include "domain/product.h"

#include <gtest/gtest.h>

namespace storefront::catalog::domain {
namespace {

NewProduct Valid() {
  return {"AUD-HP-0100", "Harbor Wireless Headphones", "Closed-back, 30 h battery.", {12999, "USD"}, "audio",
          "https://images.storefront.example/products/aud-hp-0100.jpg"};
}

std::vector<std::string> FieldsOf(const NewProduct& product) {
  Violations v;
  Validate(product, v);
  std::vector<std::string> fields;
  try {
    v.ThrowIfAny();
  } catch (const InvalidArgument& e) {
    for (const auto& violation : e.violations()) fields.push_back(violation.field);
  }
  return fields;
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

TEST(ProductValidationTest, RecognisesIdentifiers) {
  EXPECT_TRUE(IsUuid("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_FALSE(IsUuid("0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a1"));
  EXPECT_FALSE(IsUuid("0b6f6a3e_8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_FALSE(IsUuid("zzzzzzzz-8d52-4c1e-9a0b-2f1f0c7b9a11"));
  EXPECT_TRUE(IsCategoryId("home-kitchen"));
  EXPECT_FALSE(IsCategoryId("-home"));
  EXPECT_FALSE(IsCategoryId(""));
  EXPECT_TRUE(IsCurrency("EUR"));
  EXPECT_FALSE(IsCurrency("EU"));
}

}  // namespace
}  // namespace storefront::catalog::domain

#include "domain/product.h"

#include "shared/types/money.h"
#include "shared/types/text.h"

namespace storefront::catalog::domain {
namespace {

using types::HasControlCharacters;

void ValidateName(const std::string& name, Violations& v) {
  if (name.empty() || name.size() > kMaxNameLength || HasControlCharacters(name)) {
    v.Add("name", "must be 1 to 200 characters without control characters");
  }
}

void ValidateDescription(const std::string& description, Violations& v) {
  if (description.size() > kMaxDescriptionLength || HasControlCharacters(description, "\n\t\r")) {
    v.Add("description", "must be at most 5000 characters");
  }
}

void ValidatePrice(const Money& price, Violations& v) {
  if (price.amount_minor < 0 || price.amount_minor > kMaxPriceMinor) {
    v.Add("price.amount_minor", "must be between 0 and 10000000000 minor units");
  }
  if (!types::IsCurrency(price.currency)) v.Add("price.currency", "must be a three-letter ISO 4217 code such as USD");
}

void ValidateImageUrl(const std::string& url, Violations& v) {
  if (url.empty()) return;
  bool scheme = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
  if (!scheme || url.size() > kMaxImageUrlLength || HasControlCharacters(url) || url.find(' ') != std::string::npos) {
    v.Add("image_url", "must be an http(s) URL of at most 2048 characters");
  }
}

}  // namespace

bool IsCategoryId(std::string_view text) {
  if (text.empty() || text.size() > 40) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
    if (!ok) return false;
  }
  return true;
}

void Validate(const NewProduct& product, Violations& v) {
  if (!IsSku(product.sku)) v.Add("sku", "must be 3 to 32 characters of A-Z, 0-9 and -");
  ValidateName(product.name, v);
  ValidateDescription(product.description, v);
  ValidatePrice(product.price, v);
  if (!IsCategoryId(product.category_id)) v.Add("category_id", "must be a category slug such as audio");
  ValidateImageUrl(product.image_url, v);
}

void Validate(const ProductPatch& patch, Violations& v) {
  if (patch.empty()) v.Add("update_mask", "must name at least one field to change");
  if (patch.name) ValidateName(*patch.name, v);
  if (patch.description) ValidateDescription(*patch.description, v);
  if (patch.price) ValidatePrice(*patch.price, v);
  if (patch.category_id && !IsCategoryId(*patch.category_id)) {
    v.Add("category_id", "must be a category slug such as audio");
  }
  if (patch.image_url) ValidateImageUrl(*patch.image_url, v);
}

ProductChange Compare(const Product& before, const Product& after) {
  ProductChange change;
  auto note = [&](bool changed, const char* field) {
    if (changed) change.changed_fields.emplace_back(field);
  };
  note(before.name != after.name, "name");
  note(before.description != after.description, "description");
  note(!(before.price == after.price), "price");
  note(before.category_id != after.category_id, "category_id");
  note(before.image_url != after.image_url, "image_url");
  note(!before.active && after.active, "active");
  change.deactivated = before.active && !after.active;
  return change;
}

}  // namespace storefront::catalog::domain

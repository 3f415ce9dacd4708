#include "domain/catalog.h"

#include <charconv>

#include "shared/paging/page_size.h"
#include "shared/types/text.h"
#include "shared/types/uuid.h"

namespace storefront::catalog::domain {
namespace {

constexpr std::size_t kMaxBatch = 100;

bool IsNumber(const std::string& text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string Trim(const std::string& text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

ListResult Catalog::ListProducts(const ListRequest& request) {
  Violations violations;
  ProductQuery query;
  query.text = Trim(request.query);
  query.category_id = request.category_id;
  query.include_inactive = request.include_inactive;

  if (query.text.size() > kMaxQueryLength) violations.Add("query", "must be at most 200 characters");
  if (types::HasControlCharacters(query.text)) violations.Add("query", "must not contain control characters");
  if (!query.category_id.empty() && !IsCategoryId(query.category_id)) {
    violations.Add("category", "must be a category slug such as audio");
  }
  query.limit = paging::PageSize(request.page_size, violations);
  const std::string fingerprint = FilterFingerprint(query.text, query.category_id, query.include_inactive);
  if (!request.page_token.empty()) {
    query.after = DecodePageToken(request.page_token, fingerprint);
    bool usable = query.after && (query.text.empty() || IsNumber(query.after->sort_key));
    if (!usable) violations.Add("page_token", "is not a cursor returned for this query; start again without one");
  }
  violations.ThrowIfAny();

  ProductPage page = repository_.List(query);
  ListResult result;
  result.products = std::move(page.products);
  if (page.next) result.next_page_token = EncodePageToken(*page.next, fingerprint);
  return result;
}

Product Catalog::GetProduct(const std::string& id) {
  // A malformed id cannot name a product: that is "not found", not a server error.
  if (!types::IsUuid(id)) throw NotFound("no product with id " + id.substr(0, 64));
  auto product = repository_.Get(id);
  if (!product) throw NotFound("no product with id " + id);
  return *product;
}

std::vector<Product> Catalog::BatchGetProducts(const std::vector<std::string>& ids) {
  if (ids.size() > kMaxBatch) throw InvalidArgument("ids", "at most 100 ids per call");
  std::vector<std::string> valid;
  for (const auto& id : ids) {
    if (types::IsUuid(id)) valid.push_back(id);
  }
  if (valid.empty()) return {};
  return repository_.BatchGet(valid);
}

std::vector<Category> Catalog::ListCategories() { return repository_.Categories(); }

Product Catalog::CreateProduct(const NewProduct& product) {
  Violations violations;
  Validate(product, violations);
  violations.ThrowIfAny();
  if (!repository_.CategoryExists(product.category_id)) {
    throw InvalidArgument("category_id", "no category " + product.category_id);
  }
  return repository_.Create(product);
}

Product Catalog::UpdateProduct(const std::string& id, const ProductPatch& patch) {
  Violations violations;
  if (!types::IsUuid(id)) violations.Add("id", "must be a product UUID");
  Validate(patch, violations);
  violations.ThrowIfAny();
  if (patch.category_id && !repository_.CategoryExists(*patch.category_id)) {
    throw InvalidArgument("category_id", "no category " + *patch.category_id);
  }
  auto updated = repository_.Update(id, patch);
  if (!updated) throw NotFound("no product with id " + id);
  return *updated;
}

Product Catalog::DeactivateProduct(const std::string& id) {
  if (!types::IsUuid(id)) throw InvalidArgument("id", "must be a product UUID");
  ProductPatch patch;
  patch.active = false;
  auto updated = repository_.Update(id, patch);
  if (!updated) throw NotFound("no product with id " + id);
  return *updated;
}

}  // namespace storefront::catalog::domain

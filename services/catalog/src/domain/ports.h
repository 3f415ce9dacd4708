// Every interface the catalog's use cases need: only the product store (PostgreSQL in
// production, repo/pg_product_repository), with the query and page types it speaks in. The
// catalog calls no other service and consumes no events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/page_token.h"
#include "domain/product.h"

namespace storefront::catalog::domain {

// What the repository is asked for: validated, with the page position decoded.
struct ProductQuery {
  std::string text;  // full-text query; empty = browse by name
  std::string category_id;
  bool include_inactive = false;
  int limit = kDefaultPageSize;
  std::optional<PageToken> after;
};

struct ProductPage {
  std::vector<Product> products;
  // Position of the last row when more rows follow; nullopt on the last page.
  std::optional<PageToken> next;
};

class ProductRepository {
 public:
  virtual ~ProductRepository() = default;
  virtual ProductPage List(const ProductQuery& query) = 0;
  virtual std::optional<Product> Get(const std::string& id) = 0;
  virtual std::vector<Product> BatchGet(const std::vector<std::string>& ids) = 0;
  virtual std::vector<Category> Categories() = 0;
  virtual bool CategoryExists(const std::string& id) = 0;
  // Throws AlreadyExists when the SKU is taken. Announces ProductCreated in the same transaction.
  virtual Product Create(const NewProduct& product) = 0;
  // nullopt when no product has that id. Announces what changed (Compare) in the same
  // transaction.
  virtual std::optional<Product> Update(const std::string& id, const ProductPatch& patch) = 0;
};

}  // namespace storefront::catalog::domain

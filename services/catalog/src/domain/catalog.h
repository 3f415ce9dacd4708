// The catalog's use cases. They depend only on the ProductRepository port (domain/ports.h), so
// they are unit tested with its mock (domain/mocks.h) and run in production over PostgreSQL
// (repo/pg_product_repository).
#pragma once

#include <string>
#include <vector>

#include "domain/ports.h"
#include "domain/product.h"

namespace storefront::catalog::domain {

struct ListRequest {
  std::string query;
  std::string category_id;
  int page_size = 0;  // 0 = default
  std::string page_token;
  bool include_inactive = false;
};

struct ListResult {
  std::vector<Product> products;
  std::string next_page_token;  // empty on the last page
};

class Catalog {
 public:
  explicit Catalog(ProductRepository& repository) : repository_(repository) {}

  ListResult ListProducts(const ListRequest& request);
  // Deactivated products are returned too (with active = false): carts and orders refer to them.
  Product GetProduct(const std::string& id);
  std::vector<Product> BatchGetProducts(const std::vector<std::string>& ids);
  std::vector<Category> ListCategories();
  Product CreateProduct(const NewProduct& product);
  Product UpdateProduct(const std::string& id, const ProductPatch& patch);
  Product DeactivateProduct(const std::string& id);

 private:
  ProductRepository& repository_;
};

}  // namespace storefront::catalog::domain

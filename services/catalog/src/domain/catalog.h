// The catalog's use cases. Depends only on the ProductRepository interface, so it is unit
// tested with a mock and run in production over PostgreSQL (repo/pg_product_repository).
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

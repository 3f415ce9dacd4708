// An in-process stand-in for the catalog service, for tests of its callers (cart, checkout): a
// map of products behind the real generated CatalogService interface, which can also be made to
// fail or to hang (Switchboard).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "shared/testing/switchboard.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::testing {

namespace catalog_pb = ::storefront::catalog::v1;

inline catalog_pb::Product MakeProduct(const std::string& id, const std::string& sku, const std::string& name,
                                       std::int64_t price_minor, const std::string& currency = "USD",
                                       bool active = true) {
  catalog_pb::Product product;
  product.set_id(id);
  product.set_sku(sku);
  product.set_name(name);
  product.mutable_price()->set_amount_minor(price_minor);
  product.mutable_price()->set_currency(currency);
  product.set_category_id("test");
  product.set_active(active);
  return product;
}

class FakeCatalogService final : public catalog_pb::CatalogService::Service, public Switchboard {
 public:
  void Put(const catalog_pb::Product& product) {
    std::lock_guard lock(mutex_);
    products_[product.id()] = product;
  }
  void Put(const std::string& id, const std::string& sku, const std::string& name, std::int64_t price_minor,
           const std::string& currency = "USD", bool active = true) {
    Put(MakeProduct(id, sku, name, price_minor, currency, active));
  }
  void SetPrice(const std::string& id, std::int64_t price_minor) {
    std::lock_guard lock(mutex_);
    products_.at(id).mutable_price()->set_amount_minor(price_minor);
  }
  void SetActive(const std::string& id, bool active) {
    std::lock_guard lock(mutex_);
    products_.at(id).set_active(active);
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  grpc::Status GetProduct(grpc::ServerContext* context, const catalog_pb::GetProductRequest* request,
                          catalog_pb::Product* response) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    if (auto status = Enter(context, lock); !status.ok()) return status;
    // Either case, as the catalog's uuid column takes it.
    std::string id = request->id();
    for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = products_.find(id);
    if (it == products_.end()) return {grpc::StatusCode::NOT_FOUND, "no product with id " + request->id()};
    *response = it->second;
    return grpc::Status::OK;
  }

  // The first page_size products (active ones unless include_inactive), by id; the query and the
  // category are ignored and there is no next page.
  grpc::Status ListProducts(grpc::ServerContext* context, const catalog_pb::ListProductsRequest* request,
                            catalog_pb::ListProductsResponse* response) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    if (auto status = Enter(context, lock); !status.ok()) return status;
    for (const auto& [id, product] : products_) {
      if (request->page_size() > 0 && response->products_size() >= request->page_size()) break;
      if (product.active() || request->include_inactive()) *response->add_products() = product;
    }
    return grpc::Status::OK;
  }

  // One category, "test", counting the active products.
  grpc::Status ListCategories(grpc::ServerContext* context, const catalog_pb::ListCategoriesRequest*,
                              catalog_pb::ListCategoriesResponse* response) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    if (auto status = Enter(context, lock); !status.ok()) return status;
    auto* category = response->add_categories();
    category->set_id("test");
    category->set_name("Test");
    int active = 0;
    for (const auto& [id, product] : products_) active += product.active() ? 1 : 0;
    category->set_active_product_count(active);
    return grpc::Status::OK;
  }

  grpc::Status BatchGetProducts(grpc::ServerContext* context, const catalog_pb::BatchGetProductsRequest* request,
                                catalog_pb::BatchGetProductsResponse* response) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    if (auto status = Enter(context, lock); !status.ok()) return status;
    for (const auto& id : request->ids()) {
      auto it = products_.find(id);
      if (it != products_.end()) *response->add_products() = it->second;
    }
    return grpc::Status::OK;
  }

 private:
  std::map<std::string, catalog_pb::Product> products_;
  int calls_ = 0;
};

}  // namespace storefront::testing

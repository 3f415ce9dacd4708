// An in-process stand-in for the catalog service, for tests: a map of products behind the real
// generated CatalogService interface, which can also be made to fail or to hang.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "storefront/catalog/v1/catalog.grpc.pb.h"

namespace storefront::cart::testing {

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

class FakeCatalogService final : public catalog_pb::CatalogService::Service {
 public:
  void Put(const catalog_pb::Product& product) {
    std::lock_guard lock(mutex_);
    products_[product.id()] = product;
  }
  void SetPrice(const std::string& id, std::int64_t price_minor) {
    std::lock_guard lock(mutex_);
    products_.at(id).mutable_price()->set_amount_minor(price_minor);
  }
  void SetActive(const std::string& id, bool active) {
    std::lock_guard lock(mutex_);
    products_.at(id).set_active(active);
  }
  // Every call answers `status` until Recover().
  void FailWith(grpc::Status status) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(status);
  }
  void Recover() {
    std::lock_guard lock(mutex_);
    failure_ = grpc::Status::OK;
  }
  // Calls wait, answering nothing, until Release() or until the caller gives up (its deadline).
  void Hang() {
    std::lock_guard lock(mutex_);
    hanging_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      hanging_ = false;
    }
    released_.notify_all();
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::string last_request_id() const {
    std::lock_guard lock(mutex_);
    return last_request_id_;
  }

  grpc::Status GetProduct(grpc::ServerContext* context, const catalog_pb::GetProductRequest* request,
                          catalog_pb::Product* response) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    auto id = context->client_metadata().find("x-request-id");
    last_request_id_ = id == context->client_metadata().end() ? "" : std::string(id->second.data(), id->second.size());
    auto gave_up = [context] {
      return context->IsCancelled() || std::chrono::system_clock::now() > context->deadline();
    };
    while (hanging_ && !gave_up()) released_.wait_for(lock, std::chrono::milliseconds(10));
    if (gave_up()) return grpc::Status::CANCELLED;
    if (!failure_.ok()) return failure_;
    auto it = products_.find(request->id());
    if (it == products_.end()) return {grpc::StatusCode::NOT_FOUND, "no product with id " + request->id()};
    *response = it->second;
    return grpc::Status::OK;
  }

  grpc::Status BatchGetProducts(grpc::ServerContext*, const catalog_pb::BatchGetProductsRequest* request,
                                catalog_pb::BatchGetProductsResponse* response) override {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    for (const auto& id : request->ids()) {
      auto it = products_.find(id);
      if (it != products_.end()) *response->add_products() = it->second;
    }
    return grpc::Status::OK;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::map<std::string, catalog_pb::Product> products_;
  grpc::Status failure_ = grpc::Status::OK;
  bool hanging_ = false;
  int calls_ = 0;
  std::string last_request_id_;
};

}  // namespace storefront::cart::testing

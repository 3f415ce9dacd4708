// GoogleMock doubles of every port in domain/ports.h, for domain and API tests.
#pragma once

#include <gmock/gmock.h>

#include "domain/ports.h"

namespace storefront::catalog::domain {

class MockProductRepository : public ProductRepository {
 public:
  MOCK_METHOD(ProductPage, List, (const ProductQuery&), (override));
  MOCK_METHOD(std::optional<Product>, Get, (const std::string&), (override));
  MOCK_METHOD(std::vector<Product>, BatchGet, (const std::vector<std::string>&), (override));
  MOCK_METHOD(std::vector<Category>, Categories, (), (override));
  MOCK_METHOD(bool, CategoryExists, (const std::string&), (override));
  MOCK_METHOD(Product, Create, (const NewProduct&), (override));
  MOCK_METHOD(std::optional<Product>, Update, (const std::string&, const ProductPatch&), (override));
};

}  // namespace storefront::catalog::domain

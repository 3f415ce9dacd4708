// GoogleMock doubles of every port in domain/ports.h, for domain and API tests.
#pragma once

#include <gmock/gmock.h>

#include "domain/ports.h"

namespace storefront::cart::domain {

class MockCartRepository : public CartRepository {
 public:
  MOCK_METHOD(Cart, Get, (const std::string&), (override));
  MOCK_METHOD(AddOutcome, AddItem, (const std::string&, const LineSnapshot&, int), (override));
  MOCK_METHOD(std::optional<Cart>, SetQuantity, (const std::string&, const std::string&, int), (override));
  MOCK_METHOD(Cart, RemoveItem, (const std::string&, const std::string&), (override));
  MOCK_METHOD(Cart, Clear, (const std::string&), (override));
  MOCK_METHOD(int, RemoveProducts,
              (const std::string&, const std::vector<std::string>&, std::optional<types::Timestamp>), (override));
};

class MockProductCatalog : public ProductCatalog {
 public:
  MOCK_METHOD(std::optional<CatalogProduct>, Find, (const std::string&, const std::string&), (override));
};

}  // namespace storefront::cart::domain

// GoogleMock double of the catalog service, for domain and API tests.
#pragma once

#include <gmock/gmock.h>

#include "domain/carts.h"

namespace storefront::cart::domain {

class MockProductCatalog : public ProductCatalog {
 public:
  MOCK_METHOD(std::optional<CatalogProduct>, Find, (const std::string&, const std::string&), (override));
};

}  // namespace storefront::cart::domain

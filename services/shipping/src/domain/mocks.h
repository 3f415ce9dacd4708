// GoogleMock doubles of shipping's ports (domain/ports.h), for domain and API tests.
#pragma once

#include <gmock/gmock.h>

#include "domain/ports.h"

namespace storefront::shipping::domain {

class MockShipmentRepository : public ShipmentRepository {
 public:
  MOCK_METHOD(CreateResult, Create, (const Shipment&), (override));
  MOCK_METHOD(std::optional<Shipment>, Get, (const std::string&), (override));
  MOCK_METHOD(std::optional<Shipment>, GetByOrder, (const std::string&), (override));
  MOCK_METHOD(ShipmentPage, List, (const ShipmentQuery&), (override));
  MOCK_METHOD(std::optional<Shipment>, Update, (const std::string&, const Change&), (override));
  MOCK_METHOD(std::optional<Shipment>, UpdateByOrder, (const std::string&, const Change&), (override));
  MOCK_METHOD(std::optional<Shipment>, UpdateOneDue, (Timestamp, const Change&), (override));
};

}  // namespace storefront::shipping::domain

// GoogleMock doubles of shipping's ports (domain/ports.h), for domain and API tests.
#pragma once

#include <gmock/gmock.h>

#include "domain/ports.h"

namespace storefront::shipping::domain {

class MockShipmentRepository : public ShipmentRepository {
 public:
  // WithOrderLock runs the work on the mock itself, as the real repository runs it on one bound
  // to the lock's transaction; a test that checks what happens under the lock sets its own.
  MockShipmentRepository() {
    ON_CALL(*this, WithOrderLock).WillByDefault([this](const std::string&, const OrderWork& work) { work(*this); });
  }

  MOCK_METHOD(CreateResult, Create, (const Shipment&), (override));
  MOCK_METHOD(std::optional<Shipment>, Get, (const std::string&), (override));
  MOCK_METHOD(std::optional<Shipment>, GetByOrder, (const std::string&), (override));
  MOCK_METHOD(ShipmentPage, List, (const ShipmentQuery&), (override));
  MOCK_METHOD(std::optional<Shipment>, Update, (const std::string&, const Change&), (override));
  MOCK_METHOD(std::optional<Shipment>, UpdateByOrder, (const std::string&, const Change&), (override));
  MOCK_METHOD(std::optional<Shipment>, UpdateOneDue, (Timestamp, const Change&), (override));
  MOCK_METHOD(void, WithOrderLock, (const std::string&, const OrderWork&), (override));
  MOCK_METHOD(bool, RecordClosure, (const OrderClosure&), (override));
  MOCK_METHOD(std::optional<OrderClosure>, FindClosure, (const std::string&), (override));
};

}  // namespace storefront::shipping::domain

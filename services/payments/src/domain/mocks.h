// GoogleMock doubles of every port in domain/ports.h, for domain and API tests. By default
// MockPaymentRepository::InTransaction runs the work against `transaction`.
#pragma once

#include <gmock/gmock.h>

#include "domain/ports.h"

namespace storefront::payments::domain {

class MockPaymentTransaction : public PaymentTransaction {
 public:
  MOCK_METHOD(void, LockOrder, (const std::string&), (override));
  MOCK_METHOD(std::optional<OrderClosure>, FindClosure, (const std::string&), (override));
  MOCK_METHOD(std::optional<OrderClosure>, RecordClosure, (const OrderClosure&), (override));
  MOCK_METHOD(std::optional<IdempotencyRecord>, ClaimKey, (const IdempotencyRecord&), (override));
  MOCK_METHOD(std::optional<Payment>, LockPayment, (const std::string&), (override));
  MOCK_METHOD(void, Save, (const Payment&), (override));
  MOCK_METHOD(void, Append, (const PaymentOperation&), (override));
  MOCK_METHOD(void, Publish, (const PaymentEvent&), (override));
};

class MockPaymentRepository : public PaymentRepository {
 public:
  MockPaymentRepository() {
    ON_CALL(*this, InTransaction).WillByDefault([this](const std::function<void(PaymentTransaction&)>& work) {
      work(transaction);
    });
  }
  MOCK_METHOD(void, InTransaction, (const std::function<void(PaymentTransaction&)>&), (override));
  MOCK_METHOD(std::optional<Payment>, Get, (const std::string&), (override));
  MOCK_METHOD(std::vector<Payment>, ListByOrder, (const std::string&), (override));

  ::testing::NiceMock<MockPaymentTransaction> transaction;
};

// Counts calls and scripts outcomes.
class MockCardProcessor : public CardProcessor {
 public:
  MOCK_METHOD(AuthorizationResult, Authorize, (const std::string&, const Card&, const Money&), (override));
  MOCK_METHOD(void, Capture, (const std::string&, const Money&), (override));
  MOCK_METHOD(void, Void, (const std::string&), (override));
  MOCK_METHOD(void, Refund, (const std::string&, const Money&), (override));
};

}  // namespace storefront::payments::domain

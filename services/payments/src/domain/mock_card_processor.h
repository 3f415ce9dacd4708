// GoogleMock double of the card processor port: counts calls and scripts outcomes.
#pragma once

#include <gmock/gmock.h>

#include "domain/card_processor.h"

namespace storefront::payments::domain {

class MockCardProcessor : public CardProcessor {
 public:
  MOCK_METHOD(AuthorizationResult, Authorize, (const std::string&, const Card&, const Money&), (override));
  MOCK_METHOD(void, Capture, (const std::string&, const Money&), (override));
  MOCK_METHOD(void, Void, (const std::string&), (override));
  MOCK_METHOD(void, Refund, (const std::string&, const Money&), (override));
};

}  // namespace storefront::payments::domain

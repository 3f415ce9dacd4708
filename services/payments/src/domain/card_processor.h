// The port to the card network. The domain calls it; processor/ holds the simulated
// implementation, and a real gateway (Stripe, Adyen, ...) would be another adapter.
#pragma once

#include <string>

#include "domain/card.h"
#include "domain/payment.h"

namespace storefront::payments::domain {

struct AuthorizationResult {
  bool approved = false;
  std::string reference;     // the processor's id for the hold, when approved
  std::string decline_code;  // when not approved: "card_declined", "insufficient_funds", ...
};

class CardProcessor {
 public:
  virtual ~CardProcessor() = default;
  // Asks the issuer to hold `amount` on the card. A decline is a result; an outage throws
  // storefront::Unavailable. `payment_id` is the processor-side idempotency key: asking again
  // for the same payment must not place a second hold. `card.number` holds digits only.
  virtual AuthorizationResult Authorize(const std::string& payment_id, const Card& card, const Money& amount) = 0;
  // The rest act on an approved hold; each throws storefront::Unavailable on an outage.
  virtual void Capture(const std::string& reference, const Money& amount) = 0;
  virtual void Void(const std::string& reference) = 0;
  virtual void Refund(const std::string& reference, const Money& amount) = 0;
};

}  // namespace storefront::payments::domain

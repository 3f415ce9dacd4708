// A card processor that runs in-process and answers like a payment gateway's test mode, so the
// store works end to end without a merchant account. The familiar test cards:
//
//   4242 4242 4242 4242   approved
//   4000 0000 0000 0002   declined, "card_declined"
//   4000 0000 0000 9995   declined, "insufficient_funds"
//   4000 0000 0000 0119   processor outage: throws storefront::Unavailable
//   anything else         approved (the domain has already checked it passes Luhn)
//
// Stateless: the authorization reference is derived from the payment id, which models a real
// processor's idempotency (asking twice for one payment yields the same hold).
//
// It lives in clients/ with the other services' outbound adapters: it implements a domain port
// (domain::CardProcessor) for something outside the service, the card network, even though this
// stand-in answers in-process; a real gateway's client would sit beside it.
#pragma once

#include "domain/ports.h"

namespace storefront::payments::clients {

inline constexpr const char* kApprovedCard = "4242424242424242";
inline constexpr const char* kDeclinedCard = "4000000000000002";
inline constexpr const char* kInsufficientFundsCard = "4000000000009995";
inline constexpr const char* kProcessorErrorCard = "4000000000000119";

class SimulatedCardProcessor final : public domain::CardProcessor {
 public:
  domain::AuthorizationResult Authorize(const std::string& payment_id, const domain::Card& card,
                                        const domain::Money& amount) override;
  void Capture(const std::string& reference, const domain::Money& amount) override;
  void Void(const std::string& reference) override;
  void Refund(const std::string& reference, const domain::Money& amount) override;
};

}  // namespace storefront::payments::clients

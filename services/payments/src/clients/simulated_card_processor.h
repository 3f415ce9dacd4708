// A card processor that runs in-process and answers like a payment gateway's test mode, so the
// store works end to end without a merchant account. The familiar test cards:
//
//   4242 4242 4242 4242   approved
//   4000 0000 0000 0002   declined, "card_declined"
//   4000 0000 0000 9995   declined, "insufficient_funds"
//   4000 0000 0000 0119   processor outage: throws storefront::Unavailable, and keeps nothing
//   anything else         approved (the domain has already checked it passes Luhn)
//
// Idempotent on the key, as a real gateway is: it keeps what it did for each key in its books
// (clients/simulated_processor_books.h) and answers a key it has seen with that first outcome,
// without acting again, whatever else the call says; Outcome(key) reads the books. A capture,
// void or refund of a hold it never placed is refused (ProcessorRefused, "unknown_authorization").
//
// It lives in clients/ with the other services' outbound adapters: it implements a domain port
// (domain::CardProcessor) for something outside the service, the card network, even though this
// stand-in answers in-process; a real gateway's client would sit beside it.
#pragma once

#include "clients/simulated_processor_books.h"
#include "domain/ports.h"

namespace storefront::payments::clients {

inline constexpr const char* kApprovedCard = "4242424242424242";
inline constexpr const char* kDeclinedCard = "4000000000000002";
inline constexpr const char* kInsufficientFundsCard = "4000000000009995";
inline constexpr const char* kProcessorErrorCard = "4000000000000119";

// The decline code of a capture, void or refund of a hold this processor did not place.
inline constexpr const char* kUnknownAuthorization = "unknown_authorization";

class SimulatedCardProcessor final : public domain::CardProcessor {
 public:
  // `books` must outlive the processor.
  explicit SimulatedCardProcessor(ProcessorBooks& books) : books_(books) {}

  domain::AuthorizationResult Authorize(const std::string& key, const domain::Card& card,
                                        const domain::Money& amount) override;
  void Capture(const std::string& key, const std::string& reference, const domain::Money& amount) override;
  void Void(const std::string& key, const std::string& reference) override;
  void Refund(const std::string& key, const std::string& reference, const domain::Money& amount) override;
  domain::ProcessorOutcome Outcome(const std::string& key) override;

 private:
  // Capture, void and refund: the first outcome for the key, or this one, kept.
  void ActOnHold(const std::string& key, domain::Operation operation, const std::string& reference,
                 const domain::Money& amount);

  ProcessorBooks& books_;
};

}  // namespace storefront::payments::clients

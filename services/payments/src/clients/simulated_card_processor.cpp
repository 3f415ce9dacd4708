#include "clients/simulated_card_processor.h"

#include "shared/errors/errors.h"

namespace storefront::payments::clients {
namespace {

constexpr std::string_view kReferencePrefix = "sim_auth_";

void RequireReference(const std::string& reference) {
  // Only a hold this processor placed can be acted on; anything else is a bug upstream.
  if (reference.rfind(kReferencePrefix, 0) != 0) throw std::invalid_argument("unknown authorization reference");
}

domain::AuthorizationResult Declined(std::string code) {
  return {.approved = false, .reference = "", .decline_code = std::move(code)};
}

}  // namespace

domain::AuthorizationResult SimulatedCardProcessor::Authorize(const std::string& payment_id,
                                                              const domain::Card& card, const domain::Money&) {
  if (card.number == kProcessorErrorCard) throw Unavailable("payment processor unavailable");
  if (card.number == kDeclinedCard) return Declined("card_declined");
  if (card.number == kInsufficientFundsCard) return Declined("insufficient_funds");
  return {.approved = true, .reference = std::string(kReferencePrefix) + payment_id, .decline_code = ""};
}

void SimulatedCardProcessor::Capture(const std::string& reference, const domain::Money&) {
  RequireReference(reference);
}

void SimulatedCardProcessor::Void(const std::string& reference) { RequireReference(reference); }

void SimulatedCardProcessor::Refund(const std::string& reference, const domain::Money&) {
  RequireReference(reference);
}

}  // namespace storefront::payments::clients

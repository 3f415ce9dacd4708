#include "clients/simulated_card_processor.h"

#include "shared/errors/errors.h"
#include "shared/types/uuid.h"

namespace storefront::payments::clients {
namespace {

constexpr std::string_view kReferencePrefix = "sim_auth_";

domain::AuthorizationResult AsAuthorization(const BookEntry& entry) {
  return {.approved = entry.succeeded, .reference = entry.succeeded ? entry.reference : "",
          .decline_code = entry.decline_code};
}

}  // namespace

domain::AuthorizationResult SimulatedCardProcessor::Authorize(const std::string& key, const domain::Card& card,
                                                              const domain::Money& amount) {
  if (card.number == kProcessorErrorCard) throw Unavailable("payment processor unavailable");
  BookEntry entry{key, domain::Operation::kAuthorize, "", amount, true, ""};
  if (card.number == kDeclinedCard) {
    entry.succeeded = false;
    entry.decline_code = "card_declined";
  } else if (card.number == kInsufficientFundsCard) {
    entry.succeeded = false;
    entry.decline_code = "insufficient_funds";
  } else {
    entry.reference = std::string(kReferencePrefix) + types::NewUuid();  // a new hold
  }
  // Keep answers with the first outcome kept for the key: a call with a key already seen (a retry,
  // or another call that got there first) is told that outcome, and its new hold is not placed.
  return AsAuthorization(books_.Keep(entry));
}

void SimulatedCardProcessor::ActOnHold(const std::string& key, domain::Operation operation,
                                       const std::string& reference, const domain::Money& amount) {
  BookEntry entry{key, operation, reference, amount, true, ""};
  if (reference.rfind(kReferencePrefix, 0) != 0) {
    entry.succeeded = false;  // only a hold this processor placed can be acted on
    entry.decline_code = kUnknownAuthorization;
  }
  const BookEntry kept = books_.Keep(entry);  // the first outcome for the key, should one be kept already
  if (!kept.succeeded) throw domain::ProcessorRefused(kept.decline_code);
}

void SimulatedCardProcessor::Capture(const std::string& key, const std::string& reference,
                                     const domain::Money& amount) {
  ActOnHold(key, domain::Operation::kCapture, reference, amount);
}

void SimulatedCardProcessor::Void(const std::string& key, const std::string& reference) {
  ActOnHold(key, domain::Operation::kVoid, reference, {0, "XXX"});  // XXX: ISO 4217's "no currency"
}

void SimulatedCardProcessor::Refund(const std::string& key, const std::string& reference,
                                    const domain::Money& amount) {
  ActOnHold(key, domain::Operation::kRefund, reference, amount);
}

domain::ProcessorOutcome SimulatedCardProcessor::Outcome(const std::string& key) {
  auto seen = books_.Find(key);
  if (!seen) return {};
  if (!seen->succeeded) return {domain::ProcessorOutcome::Result::kDeclined, "", seen->decline_code};
  return {domain::ProcessorOutcome::Result::kSucceeded, seen->reference, ""};
}

}  // namespace storefront::payments::clients

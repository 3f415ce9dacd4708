#include "domain/payments.h"

#include <stdexcept>

#include "domain/fingerprint.h"
#include "shared/log/log.h"
#include "shared/types/deadline.h"
#include "shared/types/money.h"
#include "shared/types/text.h"
#include "shared/types/uuid.h"

namespace storefront::payments::domain {
namespace {

// Field values are never quoted back: a shopper may paste a card number into any field.
void ValidateKey(const std::string& key, Violations& violations) {
  types::RequiredText(key, kMaxKeyLength, "idempotency_key", violations);
}

void ValidatePaymentId(const char* field, const std::string& id, Violations& violations) {
  if (id.empty()) violations.Add(field, "is required");
  else if (!types::IsUuid(id)) violations.Add(field, "must be a payment id (a UUID)");
}

void ValidateCurrency(const Money& money, Violations& violations) {
  if (!types::IsCurrency(money.currency)) {
    violations.Add("amount.currency", "must be a three-letter ISO 4217 code such as USD");
  }
}

void ValidateRequiredAmount(const std::optional<Money>& amount, Violations& violations) {
  if (!amount) {
    violations.Add("amount", "is required");
    return;
  }
  if (amount->amount_minor <= 0 || amount->amount_minor > kMaxAmountMinor) {
    violations.Add("amount.amount_minor", "must be between 1 and " + std::to_string(kMaxAmountMinor));
  }
  ValidateCurrency(*amount, violations);
}

// Capture and refund: unset or zero means "all of it"; otherwise a positive amount in a valid
// currency (whether it is the payment's currency is checked once the payment is loaded).
void ValidatePartialAmount(const std::optional<Money>& amount, Violations& violations) {
  if (!amount || amount->amount_minor == 0) return;
  if (amount->amount_minor < 0 || amount->amount_minor > kMaxAmountMinor) {
    violations.Add("amount.amount_minor", "must be between 0 (all) and " + std::to_string(kMaxAmountMinor));
  }
  ValidateCurrency(*amount, violations);
}

std::int64_t RequestedMinor(const std::optional<Money>& amount) { return amount ? amount->amount_minor : 0; }

void RequireCurrency(const std::optional<Money>& amount, const Payment& payment) {
  if (RequestedMinor(amount) > 0 && amount->currency != payment.currency) {
    throw InvalidArgument("amount.currency", "must be " + payment.currency + ", the payment's currency");
  }
}

[[noreturn]] void ThrowWrongState(const Payment& payment, const std::string& what) {
  throw FailedPrecondition("payment is " + std::string(ToString(payment.status)) + "; " + what);
}

// Claims the key inside the transaction. Returns the payment the first request with this key
// touched when this request is a retry of it; throws AlreadyExists when the key was used for a
// different request; nullopt when the key is new.
std::optional<Payment> ClaimOrReplay(PaymentTransaction& tx, const IdempotencyRecord& claim) {
  auto existing = tx.ClaimKey(claim);
  if (!existing) return std::nullopt;
  if (existing->fingerprint != claim.fingerprint) {
    throw AlreadyExists("idempotency_key was already used for a different " + std::string(ToString(claim.operation)) +
                        " request");
  }
  auto payment = tx.LockPayment(existing->payment_id);
  if (!payment) throw std::logic_error("idempotency record points at a missing payment");
  return payment;
}

Payment MustExist(std::optional<Payment> payment, const std::string& id) {
  if (!payment) throw NotFound("no payment with id " + id);
  return *std::move(payment);
}

nlohmann::json Describe(const Payment& payment) {
  return {{"payment_id", payment.id},
          {"order_id", payment.order_id},
          {"status", ToString(payment.status)},
          {"amount_minor", payment.amount_minor},
          {"currency", payment.currency},
          {"card_brand", ToString(payment.card_brand)},
          {"card_last4", payment.card_last4}};
}

nlohmann::json Describe(const ProcessorIntent& intent) {
  return {{"intent_id", intent.id},
          {"operation", ToString(intent.operation)},
          {"payment_id", intent.payment_id},
          {"order_id", intent.order_id},
          {"amount_minor", intent.amount_minor},
          {"attempts", intent.attempts}};
}

// What a request whose authorization is PENDING is told: the answer is not known yet.
constexpr const char* kAuthorizationBeingResolved =
    "the payment's authorization is still being resolved; ask again shortly";

// A void names only its payment: the closing of an order and the closure rule in the outcome of
// an authorization make the same request.
std::string VoidFingerprint(const std::string& payment_id) { return Fingerprint().Add("void").Add(payment_id).Hex(); }

// The order-level operations' keys: one per order and operation, so a redelivered event replays.
std::string OrderKey(const char* operation, const std::string& order_id) { return operation + (":" + order_id); }

void ValidateOrderId(const std::string& order_id) {
  Violations violations;
  types::RequiredText(order_id, kMaxKeyLength - std::string_view("refund:").size(), "order_id", violations);
  violations.ThrowIfAny();
}

// Newest first, as ListByOrder returns them.
const Payment* Newest(const std::vector<Payment>& payments, std::initializer_list<PaymentStatus> statuses) {
  for (const auto& payment : payments) {
    for (auto status : statuses) {
      if (payment.status == status) return &payment;
    }
  }
  return nullptr;
}

// Checkout's words made fit for a closure's or refund's reason (Refund's rules): no control
// characters but newlines, at most 500 bytes, cut on a UTF-8 character boundary.
std::string AsReason(std::string reason) {
  for (auto& c : reason) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f) c = ' ';
  }
  if (reason.size() > kMaxReasonLength) {
    std::size_t cut = kMaxReasonLength;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason.resize(cut);
  }
  return reason;
}

// "order failed: out of stock", "order cancelled".
std::string RefundReasonFor(const OrderClosure& closure) {
  const std::string ended = "order " + std::string(ToString(closure.end));
  return AsReason(closure.reason.empty() ? ended : ended + ": " + closure.reason);
}

// Quoting the order id is safe: it is checkout's (a UUID in every closure the consumer records),
// never text a shopper typed.
[[noreturn]] void ThrowOrderEnded(const OrderClosure& closure) {
  log::Warn("authorize refused: the order has already ended",
            {{"order_id", closure.order_id}, {"ended", ToString(closure.end)}});
  throw FailedPrecondition("order " + closure.order_id + " has already ended (" + std::string(ToString(closure.end)) +
                           "); no authorization was taken");
}

}  // namespace

Timestamp Payments::Now() const { return std::chrono::floor<std::chrono::microseconds>(clock_()); }

Timestamp Payments::LeaseEnd(Timestamp now) const { return now + options_.intent_lease; }

Payment Payments::Authorize(const AuthorizeRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  types::RequiredText(request.order_id, kMaxIdLength, "order_id", violations);
  types::ValidateCustomerId(request.customer_id, violations);
  ValidateRequiredAmount(request.amount, violations);
  if (!request.card) violations.Add("card", "is required");
  else Validate(*request.card, violations);
  violations.ThrowIfAny();

  Card card = *request.card;
  card.number = *NormalizeCardNumber(card.number);
  const Money amount = *request.amount;
  const CardBrand brand = BrandOf(card.number);
  const std::string last4 = card.number.substr(card.number.size() - 4);
  const std::string fingerprint = Fingerprint()
                                      .Add("authorize")
                                      .Add(request.order_id)
                                      .Add(request.customer_id)
                                      .Add(amount.amount_minor)
                                      .Add(amount.currency)
                                      .Add(ToString(brand))
                                      .Add(last4)
                                      .Add(card.exp_month)
                                      .Add(card.exp_year)
                                      .Hex();
  // Chosen once, outside the transaction: should it be retried, it records the same payment and
  // the same intent.
  const std::string new_id = new_id_();
  const std::string intent_id = new_id_();

  Payment result;
  std::optional<ProcessorIntent> intent;  // the issuer is to be asked
  bool replayed = false;
  repository_.InTransaction([&](PaymentTransaction& tx) {
    intent.reset();
    replayed = false;
    // First, and held until the commit: the order cannot end while this runs (CloseOrder).
    tx.LockOrder(request.order_id);
    const Timestamp now = Now();
    auto stored = ClaimOrReplay(tx, {Operation::kAuthorize, request.idempotency_key, fingerprint, new_id, now});
    if (stored && stored->status == PaymentStatus::kPending) {
      // Asked before and not answered yet: the first request is still waiting for the issuer, or
      // its answer was lost. Ask again with the same processor key (the issuer answers it with
      // its first outcome), unless the order has ended meanwhile: then the sweeper, which asks
      // what happened rather than authorizing, settles it.
      if (tx.FindClosure(request.order_id)) throw Unavailable(kAuthorizationBeingResolved);
      auto pending = tx.FindIntent(Operation::kAuthorize, request.idempotency_key);
      if (!pending || pending->state != IntentState::kPending) {
        throw std::logic_error("a pending payment without its pending authorization");
      }
      pending->attempts += 1;
      pending->next_attempt_at = LeaseEnd(now);
      tx.SaveIntent(*pending);
      intent = *pending;
      result = *stored;
      return;
    }
    if (stored && stored->status != PaymentStatus::kFailed) {
      result = *stored;
      replayed = true;
      return;
    }
    // The issuer is about to be asked: never for an order that has ended. Throwing rolls the key
    // claim back with everything else.
    if (auto closure = tx.FindClosure(request.order_id)) ThrowOrderEnded(*closure);
    Payment payment;
    if (stored) {
      payment = *stored;  // the last attempt never reached the issuer: try again, same payment
    } else {
      payment.id = new_id;
      payment.order_id = request.order_id;
      payment.customer_id = request.customer_id;
      payment.currency = amount.currency;
      payment.amount_minor = amount.amount_minor;
      payment.card_brand = brand;
      payment.card_last4 = last4;
      payment.created_at = now;
    }
    payment.updated_at = now;
    payment.decline_code.clear();
    // Declined here, never sent to the issuer: an expired card, or a customer trying card after
    // card (options_.decline_limit). No intent; the answer is recorded at once.
    const char* declined_here = nullptr;
    if (IsExpired(card.exp_month, card.exp_year, now)) {
      declined_here = kExpiredCard;
    } else if (options_.decline_limit > 0 &&
               tx.CountRecentDeclines(request.customer_id, now - options_.decline_window) >= options_.decline_limit) {
      declined_here = kTooManyDeclines;
    }
    if (declined_here != nullptr) {
      payment.status = PaymentStatus::kDeclined;
      payment.decline_code = declined_here;
      tx.Save(payment);
      tx.Append({payment.id, OperationKind::kDecline, amount.amount_minor, amount.currency, request.idempotency_key,
                 declined_here, now});
      tx.Publish({PaymentEventKind::kFailed, payment, amount.amount_minor, ""});
      result = payment;
      return;
    }
    // The intent commits with the PENDING payment, before the issuer is asked: from here on a
    // crash leaves a record the sweeper resolves, never a hold nobody knows about.
    payment.status = PaymentStatus::kPending;
    tx.Save(payment);
    intent = ProcessorIntent{intent_id,
                             Operation::kAuthorize,
                             payment.id,
                             payment.order_id,
                             amount.amount_minor,
                             amount.currency,
                             ProcessorKey(Operation::kAuthorize, payment.id, intent_id),
                             request.idempotency_key,
                             "",
                             IntentState::kPending,
                             1,
                             now,
                             LeaseEnd(now),
                             std::nullopt,
                             ""};
    tx.SaveIntent(*intent);
    result = payment;
  });

  if (!intent) {
    auto fields = Describe(result);
    if (replayed) {
      log::Info("authorize replayed", fields);
    } else {
      fields["decline_code"] = result.decline_code;
      log::Info("payment declined", fields);
    }
    return result;
  }

  const Payment payment = Perform(*intent, "", &card).payment;
  auto fields = Describe(payment);
  switch (payment.status) {
    case PaymentStatus::kFailed:
      log::Warn("payment processor unavailable; attempt recorded as failed", fields);
      throw Unavailable("payment processor unavailable");
    case PaymentStatus::kPending:
      throw Unavailable(kAuthorizationBeingResolved);
    case PaymentStatus::kDeclined:
      fields["decline_code"] = payment.decline_code;
      log::Info("payment declined", fields);
      break;
    case PaymentStatus::kAuthorized:
      log::Info("payment authorized", fields);
      break;
    default:
      log::Info("payment authorized, then released: the order ended meanwhile", fields);
      break;
  }
  return payment;
}

Payments::Begun Payments::BeginChange(PaymentTransaction& tx, const Change& change, const Plan& plan,
                                      const std::string& intent_id, Timestamp now) {
  const bool after_commit = options_.processor_calls == ProcessorCalls::kAfterCommit;
  const std::string operation(ToString(change.operation));
  if (auto existing =
          tx.ClaimKey({change.operation, change.idempotency_key, change.fingerprint, change.payment_id, now})) {
    if (existing->fingerprint != change.fingerprint) {
      throw AlreadyExists("idempotency_key was already used for a different " + operation + " request");
    }
    auto payment = tx.LockPayment(existing->payment_id);
    if (!payment) throw std::logic_error("idempotency record points at a missing payment");
    Begun replay{*payment, std::nullopt};
    auto intent = tx.FindIntent(change.operation, change.idempotency_key);
    if (intent && intent->state == IntentState::kFailed) {
      throw FailedPrecondition("the card processor refused this " + operation + " (" + intent->last_error + ")");
    }
    if (intent && intent->state == IntentState::kPending && after_commit) {
      // Recorded, not resolved: the first request is still at it, or its answer was lost. Carry
      // it out again, with the same processor key.
      intent->attempts += 1;
      intent->next_attempt_at = LeaseEnd(now);
      tx.SaveIntent(*intent);
      replay.intent = intent;
    }
    return replay;
  }
  Payment payment = MustExist(tx.LockPayment(change.payment_id), change.payment_id);
  if (payment.status == PaymentStatus::kPending) {
    throw Unavailable("payment " + payment.id + " is still being authorized; try again shortly");
  }
  // What the payment's recorded, unresolved calls already commit it to.
  std::int64_t in_flight_refunds = 0;
  for (const auto& pending : tx.PendingIntents(payment.id)) {
    if (pending.operation == Operation::kRefund) {
      in_flight_refunds += pending.amount_minor;
    } else if (change.operation != Operation::kRefund) {
      throw Unavailable("a " + std::string(ToString(pending.operation)) + " of payment " + payment.id +
                        " is still being carried out; try again shortly");
    }
  }
  const Moved moved = plan(payment, in_flight_refunds);
  ProcessorIntent intent{intent_id,
                         change.operation,
                         payment.id,
                         payment.order_id,
                         moved.amount_minor,
                         payment.currency,
                         ProcessorKey(change.operation, payment.id, intent_id),
                         change.idempotency_key,
                         moved.detail,
                         IntentState::kPending,
                         after_commit ? 1 : 0,
                         now,
                         after_commit ? LeaseEnd(now) : now,  // the sweeper's at once, or ours for a lease
                         std::nullopt,
                         ""};
  tx.SaveIntent(intent);
  return {payment, intent};
}

Payment Payments::ChangeOnce(const Change& change, const Plan& plan) {
  const std::string intent_id = new_id_();  // outside: a retried transaction records the same intent
  Begun begun;
  repository_.InTransaction([&](PaymentTransaction& tx) { begun = BeginChange(tx, change, plan, intent_id, Now()); });
  const std::string operation(ToString(change.operation));
  if (!begun.intent) {
    log::Info(operation + " replayed", Describe(begun.payment));
    return begun.payment;
  }
  if (options_.processor_calls == ProcessorCalls::kBySweeper) {
    log::Info(operation + " recorded; the sweeper carries it out", Describe(begun.payment));
    return begun.payment;
  }
  const Recorded recorded = Perform(*begun.intent, begun.payment.processor_reference, nullptr);
  if (recorded.intent.state == IntentState::kFailed) {
    log::Warn(operation + " refused by the card processor", Describe(recorded.payment));
    throw FailedPrecondition("the card processor refused the " + operation + " (" + recorded.intent.last_error + ")");
  }
  log::Info(operation + " done", Describe(recorded.payment));
  return recorded.payment;
}

Payment Payments::Capture(const CaptureRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  ValidatePaymentId("payment_id", request.payment_id, violations);
  ValidatePartialAmount(request.amount, violations);
  violations.ThrowIfAny();

  const std::int64_t requested = RequestedMinor(request.amount);
  const std::string fingerprint = Fingerprint()
                                      .Add("capture")
                                      .Add(request.payment_id)
                                      .Add(requested)
                                      .Add(requested > 0 ? request.amount->currency : "")
                                      .Hex();
  return ChangeOnce(
      {Operation::kCapture, OperationKind::kCapture, PaymentEventKind::kCaptured, request.idempotency_key, fingerprint,
       request.payment_id},
      [&](const Payment& payment, std::int64_t) -> Moved {
        if (payment.status != PaymentStatus::kAuthorized) {
          ThrowWrongState(payment, "only an authorized payment can be captured");
        }
        RequireCurrency(request.amount, payment);
        const std::int64_t amount = requested > 0 ? requested : payment.amount_minor;
        if (amount > payment.amount_minor) {
          throw InvalidArgument("amount.amount_minor",
                                "must not exceed the authorized " + std::to_string(payment.amount_minor));
        }
        return {amount, ""};
      });
}

Payments::Moved Payments::PlanVoid(const Payment& payment, std::int64_t) {
  if (payment.status != PaymentStatus::kAuthorized) {
    ThrowWrongState(payment, "only an authorized payment can be voided (refund a captured one)");
  }
  return {payment.amount_minor, ""};
}

Payment Payments::Void(const VoidRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  ValidatePaymentId("payment_id", request.payment_id, violations);
  violations.ThrowIfAny();

  const std::string fingerprint = VoidFingerprint(request.payment_id);
  return ChangeOnce({Operation::kVoid, OperationKind::kVoid, PaymentEventKind::kVoided, request.idempotency_key,
                     fingerprint, request.payment_id},
                    PlanVoid);
}

Payment Payments::Refund(const RefundRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  ValidatePaymentId("payment_id", request.payment_id, violations);
  ValidatePartialAmount(request.amount, violations);
  if (request.reason.size() > kMaxReasonLength || types::HasControlCharacters(request.reason, "\n\t\r")) {
    violations.Add("reason", "must be at most 500 characters without control characters");
  }
  violations.ThrowIfAny();

  const std::int64_t requested = RequestedMinor(request.amount);
  const std::string fingerprint = Fingerprint()
                                      .Add("refund")
                                      .Add(request.payment_id)
                                      .Add(requested)
                                      .Add(requested > 0 ? request.amount->currency : "")
                                      .Add(request.reason)
                                      .Hex();
  return ChangeOnce(
      {Operation::kRefund, OperationKind::kRefund, PaymentEventKind::kRefunded, request.idempotency_key, fingerprint,
       request.payment_id},
      [&](const Payment& payment, std::int64_t in_flight_refunds) -> Moved {
        if (payment.status != PaymentStatus::kCaptured && payment.status != PaymentStatus::kPartiallyRefunded) {
          ThrowWrongState(payment, "only a captured or partially refunded payment can be refunded");
        }
        RequireCurrency(request.amount, payment);
        // Refunds still being carried out count as given back.
        const std::int64_t left = payment.captured_minor - payment.refunded_minor - in_flight_refunds;
        if (requested == 0 && left <= 0) {
          throw Unavailable("the rest of payment " + payment.id + " is already being refunded; try again shortly");
        }
        const std::int64_t amount = requested > 0 ? requested : left;
        if (amount > left) {
          throw InvalidArgument("amount.amount_minor", "must not exceed the " + std::to_string(left) + " left to refund");
        }
        return {amount, request.reason};
      });
}

// --- The call and its outcome -------------------------------------------------------------------

Payments::Recorded Payments::Perform(const ProcessorIntent& intent, const std::string& reference, const Card* card) {
  if (intent.operation == Operation::kAuthorize && card == nullptr) {
    throw std::logic_error("an authorization is only ever sent with its card");
  }
  const Money money{intent.amount_minor, intent.currency};
  const std::string& key = intent.processor_key;
  Answer answer;
  try {
    switch (intent.operation) {
      case Operation::kAuthorize: {
        const AuthorizationResult result = processor_.Authorize(key, *card, money);
        answer = result.approved ? Answer{Answer::Kind::kSucceeded, result.reference, ""}
                                 : Answer{Answer::Kind::kDeclined, "", result.decline_code};
        break;
      }
      case Operation::kCapture:
        processor_.Capture(key, reference, money);
        break;
      case Operation::kVoid:
        processor_.Void(key, reference);
        break;
      case Operation::kRefund:
        processor_.Refund(key, reference, money);
        break;
    }
  } catch (const ProcessorRefused& refused) {
    answer = {Answer::Kind::kDeclined, "", refused.code()};
  } catch (const Unavailable& down) {
    // An outage on the first try of an authorization means the issuer never had it: FAILED, as
    // before. On any later try an earlier one may have placed the hold (its answer was lost), so
    // this is "maybe": the intent stays for the sweeper to ask the processor's books.
    const bool first_try = intent.attempts <= 1 && intent.last_error.empty();
    if (intent.operation != Operation::kAuthorize || !first_try) {
      RecordAttempt(intent, down.what());
      throw Unavailable("payment processor unavailable");
    }
    answer = {Answer::Kind::kNotTaken, "", down.what()};
  } catch (const std::exception& lost) {
    // Maybe done: the processor's books say, and the sweeper will ask them.
    RecordAttempt(intent, lost.what());
    log::Warn("payment processor's answer lost; the sweeper will ask for it", Describe(intent));
    throw Unavailable("the payment processor's answer was lost; the " + std::string(ToString(intent.operation)) +
                      " is being resolved");
  }
  if (options_.after_processor_call) options_.after_processor_call(intent);
  // The processor has answered: record it even if our caller has given up meanwhile. Abandoning
  // it here would leave a pending intent, turning a known outcome into a "maybe" for the sweeper.
  deadline::Detached finishing;
  return Finish(intent, answer);
}

Payments::Recorded Payments::Finish(const ProcessorIntent& intent, const Answer& answer) {
  Recorded recorded = RecordOutcome(intent, answer);
  if (recorded.follow_up) {
    const ProcessorIntent release = *std::move(recorded.follow_up);
    recorded.follow_up.reset();
    log::Warn("the order ended while its authorization was being asked for; voiding the hold at once",
              Describe(recorded.payment));
    try {
      recorded.payment = Perform(release, recorded.payment.processor_reference, nullptr).payment;
    } catch (const Unavailable& error) {
      log::Warn("void left to the sweeper", {{"payment_id", release.payment_id}, {"error", error.what()}});
    }
  }
  return recorded;
}

Payments::Recorded Payments::RecordOutcome(const ProcessorIntent& intent, const Answer& answer) {
  const std::string release_id = new_id_();  // the void the closure rule may record
  const bool authorize = intent.operation == Operation::kAuthorize;
  Recorded recorded;
  repository_.InTransaction([&](PaymentTransaction& tx) {
    recorded = {};
    // An authorization's answer is recorded under the order's lock, which the closing of the
    // order takes too: whichever of the two commits second sees the other (CloseOrder).
    if (authorize) tx.LockOrder(intent.order_id);
    auto payment = tx.LockPayment(intent.payment_id);
    auto current = tx.LockIntent(intent.id);
    if (!payment || !current) throw std::logic_error("a processor intent without its payment");
    recorded.payment = *payment;
    recorded.intent = *current;
    // An approval that comes back after the sweeper gave its attempt up (the call took longer
    // than the lease) is still the truth, recorded as a retry of the FAILED payment would.
    const bool late_approval = authorize && current->state == IntentState::kFailed &&
                               answer.kind == Answer::Kind::kSucceeded && payment->status == PaymentStatus::kFailed;
    if (current->state != IntentState::kPending && !late_approval) return;  // recorded before, by another

    const Timestamp now = Now();
    Payment& p = *payment;
    ProcessorIntent& resolved = *current;
    resolved.state = IntentState::kDone;
    resolved.resolved_at = now;
    if (!authorize && answer.kind == Answer::Kind::kDeclined) {
      // Refused: the payment stays as it was, and a retry of the request hears the same.
      resolved.state = IntentState::kFailed;
      resolved.last_error = answer.code;
      tx.SaveIntent(resolved);
      recorded.intent = resolved;
      return;
    }
    PaymentOperation ledger{p.id, OperationKind::kAuthorize, intent.amount_minor, intent.currency,
                            intent.idempotency_key, "", now};
    PaymentEvent event{PaymentEventKind::kAuthorized, {}, intent.amount_minor, ""};
    switch (intent.operation) {
      case Operation::kAuthorize:
        p.decline_code.clear();
        if (answer.kind == Answer::Kind::kSucceeded) {
          p.status = PaymentStatus::kAuthorized;
          p.processor_reference = answer.reference;
        } else if (answer.kind == Answer::Kind::kDeclined) {
          p.status = PaymentStatus::kDeclined;
          p.decline_code = answer.code.empty() ? kCardDeclined : answer.code;
          ledger.kind = OperationKind::kDecline;
          ledger.detail = p.decline_code;
          event.kind = PaymentEventKind::kFailed;
        } else {
          p.status = PaymentStatus::kFailed;
          ledger.kind = OperationKind::kAuthorizeFailed;
          event.kind = PaymentEventKind::kFailed;
          resolved.state = IntentState::kFailed;
          resolved.last_error = answer.code;
        }
        break;
      case Operation::kCapture:
        if (p.status != PaymentStatus::kAuthorized) throw std::logic_error("a capture of a payment not authorized");
        p.status = PaymentStatus::kCaptured;
        p.captured_minor = intent.amount_minor;
        p.captured_at = now;
        ledger.kind = OperationKind::kCapture;
        event.kind = PaymentEventKind::kCaptured;
        break;
      case Operation::kVoid:
        if (p.status != PaymentStatus::kAuthorized) throw std::logic_error("a void of a payment not authorized");
        p.status = PaymentStatus::kVoided;
        p.voided_at = now;
        ledger.kind = OperationKind::kVoid;
        event.kind = PaymentEventKind::kVoided;
        break;
      case Operation::kRefund:
        if (p.refunded_minor + intent.amount_minor > p.captured_minor) {
          throw std::logic_error("a refund beyond what was captured");
        }
        p.refunded_minor += intent.amount_minor;
        p.status = p.refunded_minor == p.captured_minor ? PaymentStatus::kRefunded : PaymentStatus::kPartiallyRefunded;
        p.last_refunded_at = now;
        ledger.kind = OperationKind::kRefund;
        ledger.detail = intent.detail;
        event.kind = PaymentEventKind::kRefunded;
        event.reason = intent.detail;
        break;
    }
    p.updated_at = now;
    tx.Save(p);
    tx.Append(ledger);
    event.payment = p;
    tx.Publish(event);
    tx.SaveIntent(resolved);
    recorded.payment = p;
    recorded.intent = resolved;

    // The closure rule: an order that ended while its authorization was being asked for holds
    // nothing. The void is recorded here, with the approval, under the order's lock, with the key
    // the closing uses itself, so that exactly one void is recorded whichever side records it.
    if (p.status != PaymentStatus::kAuthorized || !tx.FindClosure(p.order_id)) return;
    const std::string fingerprint = VoidFingerprint(p.id);
    const Change release{Operation::kVoid, OperationKind::kVoid, PaymentEventKind::kVoided,
                         OrderKey("void", p.order_id), fingerprint, p.id};
    const std::string own_key = "void:payment:" + p.id;
    const Change own_release{Operation::kVoid, OperationKind::kVoid, PaymentEventKind::kVoided, own_key, fingerprint,
                             p.id};
    Begun begun;
    if (release.idempotency_key.size() > kMaxKeyLength) {
      begun = BeginChange(tx, own_release, PlanVoid, release_id, now);  // an order id too long for a key
    } else {
      try {
        begun = BeginChange(tx, release, PlanVoid, release_id, now);
      } catch (const AlreadyExists&) {
        // The order's key released another of its payments (an order authorized twice).
        begun = BeginChange(tx, own_release, PlanVoid, release_id, now);
      }
    }
    recorded.follow_up = begun.intent;
  });
  return recorded;
}

void Payments::RecordAttempt(const ProcessorIntent& intent, const std::string& error) {
  try {
    repository_.InTransaction([&](PaymentTransaction& tx) {
      auto current = tx.LockIntent(intent.id);
      if (!current || current->state != IntentState::kPending) return;
      current->last_error = error.substr(0, kMaxReasonLength);
      current->next_attempt_at = LeaseEnd(Now());
      tx.SaveIntent(*current);
    });
  } catch (const std::exception& failure) {
    log::Warn("could not note a failed attempt on a processor intent", {{"intent_id", intent.id}, {"error", failure.what()}});
  }
}

// --- The sweeper --------------------------------------------------------------------------------

int Payments::ResolveDueIntents() {
  const Timestamp now = Now();
  int resolved = 0;
  for (const auto& intent : repository_.TakeDueIntents(now, LeaseEnd(now), options_.sweep_batch)) {
    try {
      if (Resolve(intent)) ++resolved;
    } catch (const std::exception& error) {
      auto fields = Describe(intent);
      fields["error"] = error.what();
      log::Warn("processor intent left pending; a later sweep tries again", fields);
    }
  }
  return resolved;
}

bool Payments::Resolve(const ProcessorIntent& intent) {
  ProcessorOutcome seen;
  try {
    seen = processor_.Outcome(intent.processor_key);
  } catch (const Unavailable& down) {
    RecordAttempt(intent, down.what());
    return false;
  }
  Recorded recorded;
  switch (seen.result) {
    case ProcessorOutcome::Result::kSucceeded:
      recorded = Finish(intent, {Answer::Kind::kSucceeded, seen.reference, ""});
      break;
    case ProcessorOutcome::Result::kDeclined:
      recorded = Finish(intent, {Answer::Kind::kDeclined, "", seen.decline_code});
      break;
    case ProcessorOutcome::Result::kUnknown:
      if (intent.operation == Operation::kAuthorize) {
        // Never received. The card is not stored, so it cannot be sent again: given up as FAILED,
        // as an outage is, and the same request may try again.
        recorded = Finish(intent, {Answer::Kind::kNotTaken, "", "the card processor never received it"});
      } else {
        // Decided under the state checks, never done: sent again, with the same key.
        const auto payment = repository_.Get(intent.payment_id);
        if (!payment) throw std::logic_error("a processor intent without its payment");
        recorded = Perform(intent, payment->processor_reference, nullptr);
      }
      break;
  }
  auto fields = Describe(intent);
  fields["state"] = ToString(recorded.intent.state);
  fields["status"] = ToString(recorded.payment.status);
  if (recorded.intent.state == IntentState::kFailed && intent.operation != Operation::kAuthorize) {
    fields["error"] = recorded.intent.last_error;
    log::Warn("the card processor refused a recorded " + std::string(ToString(intent.operation)), fields);
  } else {
    log::Info("processor intent resolved by the sweeper", fields);
  }
  return true;
}

// --- Orders -------------------------------------------------------------------------------------

OrderPaymentResult Payments::CaptureOrder(const std::string& order_id) {
  ValidateOrderId(order_id);
  const auto payments = repository_.ListByOrder(order_id);
  if (const Payment* authorized = Newest(payments, {PaymentStatus::kAuthorized})) {
    return {OrderPaymentOutcome::kDone, Capture({OrderKey("capture", order_id), authorized->id, std::nullopt}),
            Operation::kCapture};
  }
  if (const Payment* captured = Newest(payments, {PaymentStatus::kCaptured, PaymentStatus::kPartiallyRefunded,
                                                  PaymentStatus::kRefunded})) {
    return {OrderPaymentOutcome::kAlreadyDone, *captured, std::nullopt};
  }
  if (Newest(payments, {PaymentStatus::kPending})) {
    throw Unavailable("the order's authorization is still being resolved; it is captured once it is");
  }
  return {OrderPaymentOutcome::kNothingToDo, payments.empty() ? std::nullopt : std::optional<Payment>(payments[0]),
          std::nullopt};
}

OrderPaymentResult Payments::CloseOrder(const std::string& order_id, OrderEnd end, const std::string& reason) {
  ValidateOrderId(order_id);
  const OrderClosure closure{order_id, end, AsReason(reason), Now()};
  OrderClosure kept;
  repository_.InTransaction([&](PaymentTransaction& tx) {
    tx.LockOrder(order_id);
    kept = tx.RecordClosure(closure).value_or(closure);
  });
  return ReleaseOrder(kept);
}

OrderPaymentResult Payments::ReleaseOrder(const OrderClosure& closure) {
  const std::string& order_id = closure.order_id;
  const auto payments = repository_.ListByOrder(order_id);
  if (const Payment* authorized = Newest(payments, {PaymentStatus::kAuthorized})) {
    return {OrderPaymentOutcome::kDone, Void({OrderKey("void", order_id), authorized->id}), Operation::kVoid};
  }
  if (const Payment* captured = Newest(payments, {PaymentStatus::kCaptured, PaymentStatus::kPartiallyRefunded})) {
    return {OrderPaymentOutcome::kDone,
            Refund({OrderKey("refund", order_id), captured->id, std::nullopt, RefundReasonFor(closure)}),
            Operation::kRefund};
  }
  return {OrderPaymentOutcome::kNothingToDo, payments.empty() ? std::nullopt : std::optional<Payment>(payments[0]),
          std::nullopt};
}

Payment Payments::GetPayment(const std::string& id) {
  Violations violations;
  ValidatePaymentId("id", id, violations);
  violations.ThrowIfAny();
  Payment payment = MustExist(repository_.Get(id), id);
  if (payment.status == PaymentStatus::kPending) throw Unavailable(kAuthorizationBeingResolved);
  return payment;
}

std::vector<Payment> Payments::ListPayments(const std::string& order_id) {
  Violations violations;
  types::RequiredText(order_id, kMaxIdLength, "order_id", violations);
  violations.ThrowIfAny();
  auto payments = repository_.ListByOrder(order_id);
  // A PENDING attempt may yet be approved: "no authorization" would be a guess. Checkout's
  // recovery treats UNAVAILABLE as "ask again later", which is the truth here.
  if (Newest(payments, {PaymentStatus::kPending})) throw Unavailable(kAuthorizationBeingResolved);
  return payments;
}

}  // namespace storefront::payments::domain

#include "domain/payments.h"

#include <stdexcept>

#include "domain/fingerprint.h"
#include "shared/log/log.h"
#include "shared/types/money.h"
#include "shared/types/uuid.h"

namespace storefront::payments::domain {
namespace {

bool HasControlCharacters(std::string_view text, bool allow_newlines = false) {
  for (unsigned char c : text) {
    if (allow_newlines && (c == '\n' || c == '\t' || c == '\r')) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Field values are never quoted back: a shopper may paste a card number into any field.
void ValidateText(const char* field, const std::string& value, std::size_t max, Violations& violations) {
  if (value.empty()) violations.Add(field, "is required");
  else if (value.size() > max || HasControlCharacters(value)) {
    violations.Add(field, "must be at most " + std::to_string(max) + " characters without control characters");
  }
}

void ValidateKey(const std::string& key, Violations& violations) {
  ValidateText("idempotency_key", key, kMaxKeyLength, violations);
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

// The order-level operations' keys: one per order and operation, so a redelivered event replays.
std::string OrderKey(const char* operation, const std::string& order_id) { return operation + (":" + order_id); }

void ValidateOrderId(const std::string& order_id) {
  Violations violations;
  ValidateText("order_id", order_id, kMaxKeyLength - std::string_view("refund:").size(), violations);
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

Payment Payments::Authorize(const AuthorizeRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  ValidateText("order_id", request.order_id, kMaxIdLength, violations);
  ValidateText("customer_id", request.customer_id, kMaxIdLength, violations);
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
  // Chosen once, outside the transaction: should the transaction be retried, the processor is
  // asked again for the same payment id and, being idempotent on it, places no second hold.
  const std::string new_id = new_id_();

  Payment result;
  bool replayed = false;
  bool processor_down = false;
  repository_.InTransaction([&](PaymentTransaction& tx) {
    replayed = processor_down = false;
    // First, and held until the commit: the order cannot end while this runs (CloseOrder).
    tx.LockOrder(request.order_id);
    const Timestamp now = Now();
    auto stored = ClaimOrReplay(tx, {Operation::kAuthorize, request.idempotency_key, fingerprint, new_id, now});
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
    PaymentOperation operation{payment.id, OperationKind::kAuthorize, amount.amount_minor, amount.currency,
                               request.idempotency_key, "", now};

    auto decline = [&](std::string code) {
      payment.status = PaymentStatus::kDeclined;
      payment.decline_code = code.empty() ? kCardDeclined : std::move(code);
      operation.kind = OperationKind::kDecline;
      operation.detail = payment.decline_code;
    };
    if (IsExpired(card.exp_month, card.exp_year, now)) {
      decline(kExpiredCard);  // never sent to the issuer
    } else {
      try {
        AuthorizationResult outcome = processor_.Authorize(payment.id, card, amount);
        if (outcome.approved) {
          payment.status = PaymentStatus::kAuthorized;
          payment.processor_reference = outcome.reference;
        } else {
          decline(outcome.decline_code);
        }
      } catch (const Unavailable&) {
        payment.status = PaymentStatus::kFailed;
        operation.kind = OperationKind::kAuthorizeFailed;
        processor_down = true;
      }
    }
    tx.Save(payment);
    tx.Append(operation);
    const bool held = payment.status == PaymentStatus::kAuthorized;
    tx.Publish({held ? PaymentEventKind::kAuthorized : PaymentEventKind::kFailed, payment, amount.amount_minor, ""});
    result = payment;
  });

  auto fields = Describe(result);
  if (replayed) {
    log::Info("authorize replayed", fields);
  } else if (processor_down) {
    log::Warn("payment processor unavailable; attempt recorded as failed", fields);
    throw Unavailable("payment processor unavailable");
  } else if (result.status == PaymentStatus::kDeclined) {
    fields["decline_code"] = result.decline_code;
    log::Info("payment declined", fields);
  } else {
    log::Info("payment authorized", fields);
  }
  return result;
}

Payment Payments::ChangeOnce(const Change& change, const std::function<Moved(Payment&, Timestamp)>& apply) {
  Payment result;
  bool replayed = false;
  repository_.InTransaction([&](PaymentTransaction& tx) {
    replayed = false;
    const Timestamp now = Now();
    if (auto replay = ClaimOrReplay(tx, {change.operation, change.idempotency_key, change.fingerprint,
                                         change.payment_id, now})) {
      result = *replay;
      replayed = true;
      return;
    }
    Payment payment = MustExist(tx.LockPayment(change.payment_id), change.payment_id);
    const Moved moved = apply(payment, now);
    payment.updated_at = now;
    tx.Save(payment);
    tx.Append({payment.id, change.ledger, moved.amount_minor, payment.currency, change.idempotency_key, moved.detail,
               now});
    tx.Publish({change.event, payment, moved.amount_minor, moved.detail});
    result = payment;
  });
  log::Info(std::string(ToString(change.operation)) + (replayed ? " replayed" : " done"), Describe(result));
  return result;
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
      [&](Payment& payment, Timestamp now) -> Moved {
        if (payment.status != PaymentStatus::kAuthorized) {
          ThrowWrongState(payment, "only an authorized payment can be captured");
        }
        RequireCurrency(request.amount, payment);
        const std::int64_t amount = requested > 0 ? requested : payment.amount_minor;
        if (amount > payment.amount_minor) {
          throw InvalidArgument("amount.amount_minor",
                                "must not exceed the authorized " + std::to_string(payment.amount_minor));
        }
        processor_.Capture(payment.processor_reference, {amount, payment.currency});
        payment.status = PaymentStatus::kCaptured;
        payment.captured_minor = amount;
        payment.captured_at = now;
        return {amount, ""};
      });
}

Payment Payments::Void(const VoidRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  ValidatePaymentId("payment_id", request.payment_id, violations);
  violations.ThrowIfAny();

  const std::string fingerprint = Fingerprint().Add("void").Add(request.payment_id).Hex();
  return ChangeOnce(
      {Operation::kVoid, OperationKind::kVoid, PaymentEventKind::kVoided, request.idempotency_key, fingerprint,
       request.payment_id},
      [&](Payment& payment, Timestamp now) -> Moved {
        if (payment.status != PaymentStatus::kAuthorized) {
          ThrowWrongState(payment, "only an authorized payment can be voided (refund a captured one)");
        }
        processor_.Void(payment.processor_reference);
        payment.status = PaymentStatus::kVoided;
        payment.voided_at = now;
        return {payment.amount_minor, ""};
      });
}

Payment Payments::Refund(const RefundRequest& request) {
  Violations violations;
  ValidateKey(request.idempotency_key, violations);
  ValidatePaymentId("payment_id", request.payment_id, violations);
  ValidatePartialAmount(request.amount, violations);
  if (request.reason.size() > kMaxReasonLength || HasControlCharacters(request.reason, /*allow_newlines=*/true)) {
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
      [&](Payment& payment, Timestamp now) -> Moved {
        if (payment.status != PaymentStatus::kCaptured && payment.status != PaymentStatus::kPartiallyRefunded) {
          ThrowWrongState(payment, "only a captured or partially refunded payment can be refunded");
        }
        RequireCurrency(request.amount, payment);
        const std::int64_t left = payment.captured_minor - payment.refunded_minor;
        const std::int64_t amount = requested > 0 ? requested : left;
        if (amount > left) {
          throw InvalidArgument("amount.amount_minor", "must not exceed the " + std::to_string(left) + " left to refund");
        }
        processor_.Refund(payment.processor_reference, {amount, payment.currency});
        payment.refunded_minor += amount;
        payment.status = payment.refunded_minor == payment.captured_minor ? PaymentStatus::kRefunded
                                                                          : PaymentStatus::kPartiallyRefunded;
        payment.last_refunded_at = now;
        return {amount, request.reason};
      });
}

OrderPaymentResult Payments::CaptureOrder(const std::string& order_id) {
  ValidateOrderId(order_id);
  const auto payments = repository_.ListByOrder(order_id);
  if (const Payment* authorized = Newest(payments, {PaymentStatus::kAuthorized})) {
    return {OrderPaymentOutcome::kDone, Capture({OrderKey("capture", order_id), authorized->id, std::nullopt})};
  }
  if (const Payment* captured = Newest(payments, {PaymentStatus::kCaptured, PaymentStatus::kPartiallyRefunded,
                                                  PaymentStatus::kRefunded})) {
    return {OrderPaymentOutcome::kAlreadyDone, *captured};
  }
  return {OrderPaymentOutcome::kNothingToDo, payments.empty() ? std::nullopt : std::optional<Payment>(payments[0])};
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
    return {OrderPaymentOutcome::kDone, Void({OrderKey("void", order_id), authorized->id})};
  }
  if (const Payment* captured = Newest(payments, {PaymentStatus::kCaptured, PaymentStatus::kPartiallyRefunded})) {
    return {OrderPaymentOutcome::kDone,
            Refund({OrderKey("refund", order_id), captured->id, std::nullopt, RefundReasonFor(closure)})};
  }
  return {OrderPaymentOutcome::kNothingToDo, payments.empty() ? std::nullopt : std::optional<Payment>(payments[0])};
}

Payment Payments::GetPayment(const std::string& id) {
  Violations violations;
  ValidatePaymentId("id", id, violations);
  violations.ThrowIfAny();
  return MustExist(repository_.Get(id), id);
}

std::vector<Payment> Payments::ListPayments(const std::string& order_id) {
  Violations violations;
  ValidateText("order_id", order_id, kMaxIdLength, violations);
  violations.ThrowIfAny();
  return repository_.ListByOrder(order_id);
}

}  // namespace storefront::payments::domain

#include "core/requests.h"

#include <QHash>
#include <QRegularExpression>
#include <QUrl>

namespace storefront::admin {
namespace {

constexpr qint64 kMaxPriceMinor = 10'000'000'000;  // catalog's limit
constexpr qint64 kMaxDelta = 1'000'000;             // inventory's limit
constexpr int kMaxNote = 500;
constexpr qint64 kMaxFaultLatencyMs = 30'000;  // the gateway's limit

bool hasControlCharacters(const QString& text, bool allowNewlines) {
  for (QChar c : text) {
    if (allowNewlines && (c == u'\n' || c == u'\t')) continue;
    if (c.category() == QChar::Other_Control) return true;
  }
  return false;
}

bool isHttpUrl(const QString& text) {
  const QUrl url(text, QUrl::StrictMode);
  return url.isValid() && (url.scheme() == u"http" || url.scheme() == u"https") && !url.host().isEmpty();
}

}  // namespace

QList<FieldError> validateSignIn(const SignInInput& input) {
  QList<FieldError> errors;
  if (!isHttpUrl(input.gatewayUrl.trimmed())) {
    errors.append(FieldError{"gateway_url", "must be an http(s) URL such as http://127.0.0.1:8080"});
  }
  static const QRegularExpression kEmail(QStringLiteral(R"(^[^@\s]+@[^@\s]+$)"));
  if (!kEmail.match(input.email.trimmed()).hasMatch()) errors.append(FieldError{"email", "must be an email address"});
  if (input.password.isEmpty()) errors.append(FieldError{"password", "is required"});
  return errors;
}

QJsonObject ProductDraft::toCreateJson() const {
  return {{"sku", sku},
          {"name", name},
          {"description", description},
          {"price", price.toJson()},
          {"category_id", categoryId},
          {"image_url", imageUrl}};
}

QJsonObject ProductDraft::toPatchJson() const {
  return {{"name", name},
          {"description", description},
          {"price", price.toJson()},
          {"category_id", categoryId},
          {"image_url", imageUrl},
          {"active", active}};
}

Validated<ProductDraft> validateProduct(const ProductInput& input, bool creating) {
  Validated<ProductDraft> result;
  ProductDraft& draft = result.value;
  auto fail = [&](const char* field, const char* detail) { result.errors.append(FieldError{field, detail}); };

  draft.sku = input.sku.trimmed();
  static const QRegularExpression kSku(QStringLiteral("^[A-Z0-9-]{3,32}$"));
  if (creating && !kSku.match(draft.sku).hasMatch()) fail("sku", "must be 3 to 32 characters of A-Z, 0-9 and -");

  draft.name = input.name.trimmed();
  if (draft.name.isEmpty() || draft.name.size() > 200 || hasControlCharacters(draft.name, false)) {
    fail("name", "must be 1 to 200 characters without control characters");
  }

  draft.description = input.description;
  if (draft.description.size() > 5000 || hasControlCharacters(draft.description, true)) {
    fail("description", "must be at most 5000 characters");
  }

  draft.price.currency = input.currency.trimmed().toUpper();
  static const QRegularExpression kCurrency(QStringLiteral("^[A-Z]{3}$"));
  if (!kCurrency.match(draft.price.currency).hasMatch()) {
    fail("price.currency", "must be a three-letter ISO 4217 code such as USD");
  } else if (auto amount = parseAmount(input.price, draft.price.currency);
             !amount || *amount < 0 || *amount > kMaxPriceMinor) {
    fail("price", "must be an amount of at least 0, such as 12.50");
  } else {
    draft.price.amountMinor = *amount;
  }

  draft.categoryId = input.categoryId.trimmed();
  static const QRegularExpression kCategory(QStringLiteral("^[a-z0-9][a-z0-9-]{0,39}$"));
  if (!kCategory.match(draft.categoryId).hasMatch()) fail("category_id", "must be a category slug such as audio");

  draft.imageUrl = input.imageUrl.trimmed();
  if (!draft.imageUrl.isEmpty() && (!isHttpUrl(draft.imageUrl) || draft.imageUrl.size() > 2048)) {
    fail("image_url", "must be an http(s) URL of at most 2048 characters");
  }
  draft.active = input.active;
  return result;
}

const QStringList& adjustmentReasons() {
  static const QStringList kReasons = {"restock", "count", "damaged", "returned"};
  return kReasons;
}

QJsonObject AdjustmentRequest::toJson() const { return {{"delta", delta}, {"reason", reason}, {"note", note}}; }

QList<FieldError> validateAdjustment(const AdjustmentRequest& request, qint64 onHand) {
  QList<FieldError> errors;
  if (request.delta == 0) {
    errors.append(FieldError{"delta", "must not be 0"});
  } else if (request.delta < -kMaxDelta || request.delta > kMaxDelta) {
    errors.append(FieldError{"delta", "must be between -1000000 and 1000000"});
  } else if (onHand + request.delta < 0) {
    errors.append(FieldError{"delta", QStringLiteral("would take on hand below zero (%1 on hand)").arg(onHand)});
  }
  if (!adjustmentReasons().contains(request.reason)) {
    errors.append(FieldError{"reason", "must be restock, count, damaged or returned"});
  } else if ((request.reason == u"restock" || request.reason == u"returned") && request.delta < 0) {
    errors.append(FieldError{"delta", QStringLiteral("must be positive for %1 (units come in)").arg(request.reason)});
  } else if (request.reason == u"damaged" && request.delta > 0) {
    errors.append(FieldError{"delta", "must be negative for damaged (units are written off)"});
  }
  if (request.note.size() > kMaxNote) errors.append(FieldError{"note", "must be at most 500 characters"});
  if (hasControlCharacters(request.note, true)) errors.append(FieldError{"note", "must not contain control characters"});
  return errors;
}

QJsonObject RefundRequest::toJson() const {
  QJsonObject body{{"reason", reason}};
  if (amount) body.insert("amount", amount->toJson());
  return body;
}

Validated<RefundRequest> validateRefund(const QString& amountText, const QString& reason, const Money& total) {
  Validated<RefundRequest> result;
  result.value.reason = reason.trimmed();
  if (!amountText.trimmed().isEmpty()) {
    auto amount = parseAmount(amountText, total.currency);
    if (!amount || *amount <= 0) {
      result.errors.append(FieldError{"amount", "must be an amount above 0, or empty for a full refund"});
    } else if (total.isValid() && *amount > total.amountMinor) {
      result.errors.append(FieldError{"amount", QStringLiteral("must be at most the order total, %1").arg(formatMoney(total))});
    } else {
      result.value.amount = Money{*amount, total.currency};
    }
  }
  if (result.value.reason.isEmpty()) result.errors.append(FieldError{"reason", "is required"});
  else if (result.value.reason.size() > 500) result.errors.append(FieldError{"reason", "must be at most 500 characters"});
  return result;
}

const QStringList& faultServices() {
  static const QStringList kServices = {"catalog", "cart", "checkout", "payments", "inventory", "shipping"};
  return kServices;
}

const QStringList& faultMethods(const QString& service) {
  static const QHash<QString, QStringList> kMethods = {
      {"catalog",
       {"ListProducts", "GetProduct", "BatchGetProducts", "ListCategories", "CreateProduct", "UpdateProduct",
        "DeactivateProduct"}},
      {"cart", {"GetCart", "AddItem", "UpdateItemQuantity", "RemoveItem", "ClearCart"}},
      {"checkout", {"PlaceOrder", "GetOrder", "ListOrders", "CancelOrder", "RefundOrder", "SalesReport"}},
      {"payments", {"Authorize", "Capture", "Void", "Refund", "GetPayment", "ListPayments"}},
      {"inventory",
       {"GetStockLevels", "ListLowStock", "ListAdjustments", "ReserveStock", "CommitReservation",
        "ReleaseReservation", "AdjustStock", "ListStockLevels"}},
      {"shipping",
       {"GetQuotes", "CreateShipment", "GetShipment", "GetShipmentByOrder", "ListShipments", "AdvanceShipment",
        "CancelShipment"}},
  };
  static const QStringList kNone;
  const auto it = kMethods.constFind(service);
  return it == kMethods.constEnd() ? kNone : *it;
}

QJsonObject FaultRequest::toJson() const {
  return {{"latency_ms", latencyMs}, {"error_percent", errorPercent}, {"abort_percent", abortPercent}};
}

QList<FieldError> validateFault(const FaultRequest& request) {
  QList<FieldError> errors;
  if (!faultServices().contains(request.service)) {
    errors.append(FieldError{"service", "must be one of " + faultServices().join(u", ")});
  }
  static const QRegularExpression kMethod(QStringLiteral(R"(^(\*|[A-Za-z][A-Za-z0-9_]{0,99})$)"));
  if (!kMethod.match(request.method).hasMatch()) {
    errors.append(FieldError{"method", "must be * (every RPC) or an RPC name such as Authorize"});
  }
  if (request.latencyMs < 0 || request.latencyMs > kMaxFaultLatencyMs) {
    errors.append(FieldError{"latency_ms", "must be between 0 and 30000"});
  }
  if (request.errorPercent < 0 || request.errorPercent > 100) {
    errors.append(FieldError{"error_percent", "must be between 0 and 100"});
  }
  if (request.abortPercent < 0 || request.abortPercent > 100) {
    errors.append(FieldError{"abort_percent", "must be between 0 and 100"});
  }
  if (errors.isEmpty() && request.latencyMs == 0 && request.errorPercent == 0 && request.abortPercent == 0) {
    errors.append(FieldError{"fault", "adds no latency, errors or aborts; to remove a fault, clear it"});
  }
  return errors;
}

}  // namespace storefront::admin

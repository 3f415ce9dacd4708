// What the console sends, and the checks that run before it does.
//
// Forms validate here, not in the widgets, so the rules are tested without a screen and the
// wording matches the services' own (catalog's product rules, inventory's adjustment rules).
// The gateway still validates everything: these checks save a round trip, they do not replace it.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

#include "core/api_error.h"
#include "core/money.h"

namespace storefront::admin {

template <typename T>
struct Validated {
  T value;
  QList<FieldError> errors;
  bool ok() const { return errors.isEmpty(); }
};

// --- Sign-in -------------------------------------------------------------------------------

struct SignInInput {
  QString gatewayUrl;
  QString email;
  QString password;
};

// gateway_url: an http(s) URL with a host; email: looks like one; password: not empty.
QList<FieldError> validateSignIn(const SignInInput& input);

// --- Products ------------------------------------------------------------------------------

// The product form's fields as typed.
struct ProductInput {
  QString sku;
  QString name;
  QString description;
  QString price;  // "12.50"
  QString currency = QStringLiteral("USD");
  QString categoryId;
  QString imageUrl;
  bool active = true;
};

struct ProductDraft {
  QString sku;
  QString name;
  QString description;
  Money price;
  QString categoryId;
  QString imageUrl;
  bool active = true;

  QJsonObject toCreateJson() const;  // POST /admin/products
  QJsonObject toPatchJson() const;   // PATCH /admin/products/{id}: every editable field
};

// Catalog's rules: sku 3-32 of A-Z 0-9 - (checked only when creating: it cannot change), name
// 1-200 characters, description at most 5000, price >= 0 in the currency's minor units,
// category a slug such as "audio", image URL empty or http(s).
Validated<ProductDraft> validateProduct(const ProductInput& input, bool creating);

// --- Inventory -----------------------------------------------------------------------------

const QStringList& adjustmentReasons();  // restock, count, damaged, returned

struct AdjustmentRequest {
  qint64 delta = 0;
  QString reason;
  QString note;
  QString idempotencyKey;  // one per dialog, so a retry after a timeout is applied once
  QJsonObject toJson() const;
};

// Inventory's rules (delta non-zero within +-1000000, restock/returned add, damaged removes,
// note at most 500 characters) plus one only the console can check: on hand must not go below
// zero given the level the operator is looking at.
QList<FieldError> validateAdjustment(const AdjustmentRequest& request, qint64 onHand);

// --- Orders --------------------------------------------------------------------------------

struct RefundRequest {
  std::optional<Money> amount;  // nullopt: refund everything captured
  QString reason;
  QString idempotencyKey;
  QJsonObject toJson() const;
};

// amountText empty means a full refund; otherwise a positive amount no larger than the total.
Validated<RefundRequest> validateRefund(const QString& amountText, const QString& reason, const Money& total);

// --- Fault lab -----------------------------------------------------------------------------

// The services a fault can be switched on in: catalog, cart, checkout, payments, inventory, shipping.
const QStringList& faultServices();
// The RPCs of a service as proto/storefront/<service>/v1/<service>.proto declares them, to offer
// in the form (RequestsTest checks the list against the .proto files). The service has the last
// word: a method it does not know is a 400.
const QStringList& faultMethods(const QString& service);

// PUT /admin/faults/{service}/{method}
struct FaultRequest {
  QString service;
  QString method = QStringLiteral("*");  // "*": every RPC of the service
  qint64 latencyMs = 0;
  qint64 errorPercent = 0;
  qint64 abortPercent = 0;
  QJsonObject toJson() const;  // the three numbers; service and method go in the path
};

// The gateway's rules (a known service, method "*" or an RPC name, latency_ms 0-30000,
// error_percent and abort_percent 0-100), named by the body's fields so the console's words and
// the gateway's 400 read alike; plus one only the console makes: a fault of all zeros changes
// nothing, and the way to remove a fault is to clear it.
QList<FieldError> validateFault(const FaultRequest& request);

}  // namespace storefront::admin

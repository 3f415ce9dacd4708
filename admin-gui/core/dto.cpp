#include "core/dto.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

#include "core/timestamp.h"

namespace storefront::admin {
namespace {

QString str(const QJsonObject& json, QStringView key) { return json.value(key).toString(); }
qint64 integer(const QJsonObject& json, QStringView key) { return json.value(key).toInteger(); }

// A number that may be null (or absent, or not a number): nullopt then, never 0.
std::optional<double> maybeNumber(const QJsonObject& json, QStringView key) {
  const QJsonValue value = json.value(key);
  if (!value.isDouble()) return std::nullopt;
  return value.toDouble();
}
std::optional<qint64> maybeCount(const QJsonObject& json, QStringView key) {
  const QJsonValue value = json.value(key);
  if (!value.isDouble() || !(std::fabs(value.toDouble()) < 9.0e15)) return std::nullopt;  // beyond: not a count
  return qint64(std::llround(value.toDouble()));
}

template <typename T>
QList<T> listOf(const QJsonValue& value) {
  QList<T> out;
  for (const auto& item : value.toArray()) out.append(T::fromJson(item.toObject()));
  return out;
}

// A list of names, read leniently: ["a", "b"], "a, b" or [{"name": "a"}] all work.
QStringList names(const QJsonValue& value) {
  if (value.isString()) return {value.toString()};
  QStringList out;
  for (const auto& item : value.toArray()) {
    out << (item.isObject() ? item.toObject().value(u"name").toString() : item.toString());
  }
  return out;
}

}  // namespace

QString Session::role() const {
  const QStringList parts = accessToken.split(u'.');
  if (parts.size() != 3) return {};
  const QByteArray payload = QByteArray::fromBase64(parts[1].toLatin1(), QByteArray::Base64UrlEncoding);
  return QJsonDocument::fromJson(payload).object().value(u"role").toString();
}

Session Session::fromJson(const QJsonObject& json) {
  return {str(json, u"access_token"), str(json, u"token_type"), json.value(u"expires_in").toInt()};
}

Category Category::fromJson(const QJsonObject& json) {
  return {str(json, u"id"), str(json, u"name"), json.value(u"product_count").toInt()};
}

Product Product::fromJson(const QJsonObject& json) {
  Product p;
  p.id = str(json, u"id");
  p.sku = str(json, u"sku");
  p.name = str(json, u"name");
  p.description = str(json, u"description");
  p.price = Money::fromJson(json.value(u"price"));
  p.categoryId = str(json, u"category_id");
  p.imageUrl = str(json, u"image_url");
  p.active = json.value(u"active").toBool(true);
  p.createdAt = parseTimestamp(json.value(u"created_at"));
  p.updatedAt = parseTimestamp(json.value(u"updated_at"));
  return p;
}

StockLevel StockLevel::fromJson(const QJsonObject& json) {
  return {str(json, u"product_id"),         integer(json, u"on_hand"),
          integer(json, u"reserved"),       integer(json, u"available"),
          integer(json, u"low_stock_threshold"), parseTimestamp(json.value(u"updated_at"))};
}

Adjustment Adjustment::fromJson(const QJsonObject& json) {
  return {str(json, u"id"),       str(json, u"product_id"), integer(json, u"delta"),
          str(json, u"reason"),   str(json, u"note"),       str(json, u"actor"),
          integer(json, u"on_hand_after"), parseTimestamp(json.value(u"created_at"))};
}

AdjustmentResult AdjustmentResult::fromJson(const QJsonObject& json) {
  return {StockLevel::fromJson(json.value(u"level").toObject()),
          Adjustment::fromJson(json.value(u"adjustment").toObject())};
}

OrderItem OrderItem::fromJson(const QJsonObject& json) {
  return {str(json, u"product_id"),  str(json, u"sku"), str(json, u"name"), json.value(u"quantity").toInt(),
          Money::fromJson(json.value(u"unit_price")), Money::fromJson(json.value(u"line_total"))};
}

QString Address::oneLine() const {
  QStringList parts;
  for (const QString& part : {name, line1, line2, city, region, postalCode, country}) {
    if (!part.isEmpty()) parts << part;
  }
  return parts.join(u", ");
}

Address Address::fromJson(const QJsonObject& json) {
  return {str(json, u"name"),   str(json, u"line1"),       str(json, u"line2"),  str(json, u"city"),
          str(json, u"region"), str(json, u"postal_code"), str(json, u"country")};
}

TimelineEntry TimelineEntry::fromJson(const QJsonObject& json) {
  return {str(json, u"status"), str(json, u"note"), parseTimestamp(json.value(u"at"))};
}

SagaStep SagaStep::fromJson(const QJsonObject& json) {
  return {str(json, u"name"), str(json, u"state"), str(json, u"detail"), parseTimestamp(json.value(u"at"))};
}

bool Order::canCancel() const {
  static const QStringList kCancellable = {"pending", "reserved", "payment_authorized", "confirmed"};
  return kCancellable.contains(status);
}

bool Order::canRefund() const {
  return payment && (payment->status == u"captured" || payment->status == u"partially_refunded");
}

Order Order::fromJson(const QJsonObject& json) {
  Order o;
  o.orderId = str(json, u"order_id");
  o.status = str(json, u"status");
  o.failure = str(json, u"failure");
  o.failureReason = str(json, u"failure_reason");
  o.items = listOf<OrderItem>(json.value(u"items"));
  o.subtotal = Money::fromJson(json.value(u"subtotal"));
  o.shippingPrice = Money::fromJson(json.value(u"shipping_price"));
  o.total = Money::fromJson(json.value(u"total"));
  o.shippingAddress = Address::fromJson(json.value(u"shipping_address").toObject());
  o.shippingOptionId = str(json, u"shipping_option_id");
  if (const QJsonValue p = json.value(u"payment"); p.isObject()) {
    const QJsonObject payment = p.toObject();
    o.payment = PaymentSummary{str(payment, u"payment_id"), str(payment, u"status"), str(payment, u"card_brand"),
                               str(payment, u"card_last4")};
  }
  if (const QJsonValue s = json.value(u"shipment"); s.isObject()) {
    const QJsonObject shipment = s.toObject();
    o.shipment = ShipmentSummary{str(shipment, u"shipment_id"), str(shipment, u"carrier"),
                                 str(shipment, u"tracking_number"), str(shipment, u"status")};
  }
  o.timeline = listOf<TimelineEntry>(json.value(u"timeline"));
  o.createdAt = parseTimestamp(json.value(u"created_at"));
  o.updatedAt = parseTimestamp(json.value(u"updated_at"));
  o.customerId = str(json, u"customer_id");
  o.customerEmail = str(json, u"customer_email");
  o.sagaSteps = listOf<SagaStep>(json.value(u"saga_steps"));
  o.traceId = str(json, u"trace_id");
  o.traceUrl = QUrl(str(json, u"trace_url"), QUrl::StrictMode);
  return o;
}

QUrl Order::traceLink() const {
  const bool web = traceUrl.isValid() && !traceUrl.host().isEmpty() &&
                   (traceUrl.scheme() == u"http" || traceUrl.scheme() == u"https");
  return web ? traceUrl : QUrl();
}

const QStringList& orderStatuses() {
  static const QStringList kStatuses = {"pending",   "reserved", "payment_authorized", "confirmed", "shipped",
                                        "delivered", "failed",   "cancelling",         "cancelled", "refunded"};
  return kStatuses;
}

QString Shipment::nextStatus() const {
  if (status == u"label_created") return QStringLiteral("dispatched");
  if (status == u"dispatched") return QStringLiteral("delivered");
  return {};
}

Shipment Shipment::fromJson(const QJsonObject& json) {
  Shipment s;
  s.id = str(json, u"id");
  s.orderId = str(json, u"order_id");
  s.customerId = str(json, u"customer_id");
  s.trackingNumber = str(json, u"tracking_number");
  s.carrier = str(json, u"carrier");
  s.service = str(json, u"service");
  s.status = str(json, u"status");
  s.createdAt = parseTimestamp(json.value(u"created_at"));
  s.dispatchedAt = parseTimestamp(json.value(u"dispatched_at"));
  s.deliveredAt = parseTimestamp(json.value(u"delivered_at"));
  return s;
}

const QStringList& shipmentStatuses() {
  static const QStringList kStatuses = {"label_created", "dispatched", "delivered", "cancelled"};
  return kStatuses;
}

HealthComponent HealthComponent::fromJson(const QJsonObject& json) {
  return {str(json, u"name"), str(json, u"kind"), str(json, u"status"), str(json, u"detail"), str(json, u"breaker")};
}

SystemHealth SystemHealth::fromJson(const QJsonObject& json) {
  return {str(json, u"status"), listOf<HealthComponent>(json.value(u"components"))};
}

BreakerState BreakerState::fromJson(const QJsonObject& json) {
  return {str(json, u"state"), integer(json, u"calls"), integer(json, u"failures"), integer(json, u"rejected"),
          integer(json, u"retry_after_seconds")};
}

BulkheadState BulkheadState::fromJson(const QJsonObject& json) {
  return {integer(json, u"in_flight"), integer(json, u"limit"), integer(json, u"rejected")};
}

UpstreamResilience UpstreamResilience::fromJson(const QJsonObject& json) {
  UpstreamResilience u;
  u.caller = str(json, u"caller");
  u.upstream = str(json, u"upstream");
  if (const QJsonValue b = json.value(u"breaker"); b.isObject()) u.breaker = BreakerState::fromJson(b.toObject());
  if (const QJsonValue b = json.value(u"bulkhead"); b.isObject()) u.bulkhead = BulkheadState::fromJson(b.toObject());
  u.error = str(json, u"error");
  return u;
}

RetryCount RetryCount::fromJson(const QJsonObject& json) {
  return {str(json, u"service"), str(json, u"method"), integer(json, u"retried_attempts")};
}

RateLimitPolicy RateLimitPolicy::fromJson(const QJsonObject& json) {
  return {str(json, u"name"), integer(json, u"limit"), integer(json, u"window_seconds")};
}

QString Fault::effect() const {
  QStringList parts;
  if (latencyMs > 0) parts << QStringLiteral("+%1 ms").arg(latencyMs);
  if (errorPercent > 0) parts << QStringLiteral("%1 % errors").arg(errorPercent);
  if (abortPercent > 0) parts << QStringLiteral("%1 % aborts").arg(abortPercent);
  return parts.isEmpty() ? QStringLiteral("nothing") : parts.join(u", ");
}

Fault Fault::fromJson(const QJsonObject& json) {
  Fault f;
  f.service = str(json, u"service");
  f.method = str(json, u"method");
  f.latencyMs = integer(json, u"latency_ms");
  f.errorPercent = integer(json, u"error_percent");
  f.abortPercent = integer(json, u"abort_percent");
  f.setBy = str(json, u"set_by");
  f.setAt = parseTimestamp(json.value(u"set_at"));
  return f;
}

ResilienceReport ResilienceReport::fromJson(const QJsonObject& json) {
  ResilienceReport r;
  r.upstreams = listOf<UpstreamResilience>(json.value(u"upstreams"));
  r.retries = listOf<RetryCount>(json.value(u"retries"));
  const QJsonObject limits = json.value(u"rate_limits").toObject();
  r.rateLimitPolicies = listOf<RateLimitPolicy>(limits.value(u"policies"));
  const QJsonObject rejected = limits.value(u"rejected").toObject();
  for (auto it = rejected.begin(); it != rejected.end(); ++it) {  // QJsonObject iterates by key
    r.rateLimitRejected.append({it.key(), it.value().toInteger()});
  }
  r.faults = listOf<Fault>(json.value(u"faults"));
  return r;
}

Event Event::fromJson(const QJsonObject& json) {
  Event e;
  e.topic = str(json, u"topic");
  e.partition = json.value(u"partition").toInt();
  e.offset = integer(json, u"offset");
  e.key = str(json, u"key");
  e.eventId = str(json, u"event_id");
  e.eventType = str(json, u"event_type");
  e.aggregateId = str(json, u"aggregate_id");
  e.occurredAt = parseTimestamp(json.value(u"occurred_at"));
  e.producer = str(json, u"producer");
  e.payload = json.value(u"payload").toObject();
  return e;
}

DeadLetter DeadLetter::fromJson(const QJsonObject& json) {
  DeadLetter d;
  d.partition = json.value(u"partition").toInt();
  d.offset = integer(json, u"offset");
  d.originalTopic = str(json, u"original_topic");
  d.error = str(json, u"error");
  d.consumerGroup = str(json, u"consumer_group");
  d.eventType = str(json, u"event_type");
  d.key = str(json, u"key");
  d.at = parseTimestamp(json.value(u"at"));
  return d;
}

Topic Topic::fromJson(const QJsonObject& json) {
  return {str(json, u"name"), str(json, u"producer"), names(json.value(u"consumers")),
          names(json.value(u"payloads"))};
}

SalesBucket SalesBucket::fromJson(const QJsonObject& json) {
  return {parseTimestamp(json.value(u"start")), integer(json, u"orders"), Money::fromJson(json.value(u"revenue"))};
}

SalesReport SalesReport::fromJson(const QJsonObject& json) {
  return {str(json, u"granularity"), str(json, u"currency"), listOf<SalesBucket>(json.value(u"buckets"))};
}

ServiceFigures ServiceFigures::fromJson(const QJsonObject& json) {
  return {str(json, u"job"),
          maybeCount(json, u"instances_up"),
          maybeCount(json, u"instances"),
          maybeNumber(json, u"request_rate"),
          maybeNumber(json, u"error_ratio"),
          maybeNumber(json, u"p99_seconds")};
}

OutboxFigures OutboxFigures::fromJson(const QJsonObject& json) {
  return {str(json, u"job"), maybeCount(json, u"unpublished_rows"), maybeNumber(json, u"oldest_unpublished_age_seconds")};
}

ConsumerLag ConsumerLag::fromJson(const QJsonObject& json) {
  return {str(json, u"job"), str(json, u"topic"), maybeCount(json, u"lag")};
}

DeadLetterCount DeadLetterCount::fromJson(const QJsonObject& json) {
  return {str(json, u"job"), str(json, u"topic"), maybeCount(json, u"total"), maybeCount(json, u"last_hour")};
}

ObservabilityReport ObservabilityReport::fromJson(const QJsonObject& json) {
  ObservabilityReport r;
  r.prometheusUrl = str(json, u"prometheus_url");
  r.traceUiUrl = str(json, u"trace_ui_url");
  r.services = listOf<ServiceFigures>(json.value(u"services"));
  r.outbox = listOf<OutboxFigures>(json.value(u"outbox"));
  r.consumerLag = listOf<ConsumerLag>(json.value(u"consumer_lag"));
  r.deadLetters = listOf<DeadLetterCount>(json.value(u"dead_letters"));
  const QJsonObject sagas = json.value(u"sagas").toObject();
  r.sagasCompletedRate = maybeNumber(sagas, u"completed_rate");
  r.sagasFailedRate = maybeNumber(sagas, u"failed_rate");
  r.readAt = parseTimestamp(json.value(u"read_at"));
  return r;
}

}  // namespace storefront::admin

// Plain data types of the operator API (gateway/openapi/openapi.json, the routes under /api/v1/admin),
// one struct per JSON object.
//
// fromJson() is lenient on purpose: a missing or null member leaves the default, so a gateway
// that adds a field, or has not filled one yet, still shows everything else. Whether a whole
// response has the right shape (an object, an "items" array) is checked by ApiClient.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

#include "core/money.h"

namespace storefront::admin {

struct Session {
  QString accessToken;
  QString tokenType;
  int expiresInSeconds = 0;

  // The "role" claim of the JWT ("operator", "shopper"), read without verifying the signature:
  // only so the sign-in dialog can say early that a shopper account will not do. The gateway
  // verifies the token and enforces the role on every call. "" when the token is unreadable.
  QString role() const;
  static Session fromJson(const QJsonObject& json);
};

struct Category {
  QString id;  // a slug such as "audio"
  QString name;
  int productCount = 0;
  static Category fromJson(const QJsonObject& json);
};

struct Product {
  QString id;
  QString sku;
  QString name;
  QString description;
  Money price;
  QString categoryId;
  QString imageUrl;
  bool active = true;
  QDateTime createdAt;
  QDateTime updatedAt;
  static Product fromJson(const QJsonObject& json);
};

struct StockLevel {
  QString productId;
  qint64 onHand = 0;
  qint64 reserved = 0;
  qint64 available = 0;
  qint64 lowStockThreshold = 0;
  QDateTime updatedAt;
  bool isLow() const { return available <= lowStockThreshold; }
  static StockLevel fromJson(const QJsonObject& json);
};

struct Adjustment {
  QString id;
  QString productId;
  qint64 delta = 0;
  QString reason;  // restock | count | damaged | returned
  QString note;
  QString actor;
  qint64 onHandAfter = 0;
  QDateTime createdAt;
  static Adjustment fromJson(const QJsonObject& json);
};

// The answer to POST .../adjustments: the new level and the adjustment recorded.
struct AdjustmentResult {
  StockLevel level;
  Adjustment adjustment;
  static AdjustmentResult fromJson(const QJsonObject& json);
};

struct OrderItem {
  QString productId;
  QString sku;
  QString name;
  int quantity = 0;
  Money unitPrice;
  Money lineTotal;
  static OrderItem fromJson(const QJsonObject& json);
};

struct Address {
  QString name, line1, line2, city, region, postalCode, country;
  QString oneLine() const;  // "Ada Lovelace, 1 Main St, London, NW1 6XE, GB"
  static Address fromJson(const QJsonObject& json);
};

struct TimelineEntry {
  QString status;
  QString note;
  QDateTime at;
  static TimelineEntry fromJson(const QJsonObject& json);
};

// One step of the checkout saga: reserve stock, authorize payment, create shipment, ...
struct SagaStep {
  QString name;
  QString state;  // pending | succeeded | failed | compensated
  QString detail;
  QDateTime at;
  static SagaStep fromJson(const QJsonObject& json);
};

struct PaymentSummary {
  QString paymentId, status, cardBrand, cardLast4;
};

struct ShipmentSummary {
  QString shipmentId, carrier, trackingNumber, status;
};

// AdminOrder: the shopper's order plus customer and saga steps.
struct Order {
  QString orderId;
  QString status;  // pending, reserved, payment_authorized, confirmed, shipped, delivered, failed, cancelling, cancelled, refunded
  QString failure;  // empty unless failed
  QString failureReason;
  QList<OrderItem> items;
  Money subtotal;
  Money shippingPrice;
  Money total;
  Address shippingAddress;
  QString shippingOptionId;
  std::optional<PaymentSummary> payment;
  std::optional<ShipmentSummary> shipment;
  QList<TimelineEntry> timeline;
  QDateTime createdAt;
  QDateTime updatedAt;
  QString customerId;
  QString customerEmail;
  QList<SagaStep> sagaSteps;
  // The W3C trace id of the checkout that placed the order; "" for orders placed before traces
  // were recorded.
  QString traceId;
  // Its page in the tracing backend, as the gateway built it from TRACE_UI_URL; empty without one.
  QUrl traceUrl;

  // What the console offers; the gateway has the last word (409 when it disagrees).
  bool canCancel() const;
  bool canRefund() const;
  // traceUrl when it is an http(s) URL, the only kind the console hands to a browser; else empty.
  QUrl traceLink() const;
  static Order fromJson(const QJsonObject& json);
};

// Every order status, in the order an order moves through them.
const QStringList& orderStatuses();

struct Shipment {
  QString id;
  QString orderId;
  QString customerId;
  QString trackingNumber;
  QString carrier;
  QString service;
  QString status;  // label_created | dispatched | delivered | cancelled
  QDateTime createdAt;
  QDateTime dispatchedAt;
  QDateTime deliveredAt;

  // The status POST .../advance may move it to next, or "" when it is done.
  QString nextStatus() const;
  static Shipment fromJson(const QJsonObject& json);
};

const QStringList& shipmentStatuses();

struct HealthComponent {
  QString name;
  QString kind;    // service | database | broker
  QString status;  // ok | down
  QString detail;
  QString breaker;  // the gateway's breaker towards a service: closed | open | half_open; "" when not reported
  bool isUp() const { return status == u"ok"; }
  static HealthComponent fromJson(const QJsonObject& json);
};

struct SystemHealth {
  QString status;  // ok | degraded
  QList<HealthComponent> components;
  static SystemHealth fromJson(const QJsonObject& json);
};

// --- Resilience (GET /admin/resilience) ----------------------------------------------------

// A circuit breaker as one caller keeps it for one upstream.
struct BreakerState {
  QString state;      // closed | open | half_open
  qint64 calls = 0;     // in the breaker's current window
  qint64 failures = 0;  // in the breaker's current window
  qint64 rejected = 0;  // answered at once while open, since the caller started
  qint64 retryAfterSeconds = 0;  // how long an open breaker stays open
  bool isOpen() const { return state == u"open"; }
  static BreakerState fromJson(const QJsonObject& json);
};

// The bounded number of calls one caller lets run at once towards one upstream.
struct BulkheadState {
  qint64 inFlight = 0;
  qint64 limit = 0;
  qint64 rejected = 0;  // refused because it was full, since the caller started
  bool isFull() const { return limit > 0 && inFlight >= limit; }
  static BulkheadState fromJson(const QJsonObject& json);
};

// One caller -> upstream pair ("gateway" -> "payments", "checkout" -> "inventory"), or a caller
// that did not answer the gateway's question: then only `caller` and `error` are set.
struct UpstreamResilience {
  QString caller;
  QString upstream;
  std::optional<BreakerState> breaker;    // nullopt when the caller reported none
  std::optional<BulkheadState> bulkhead;  // nullopt when the caller reported none
  QString error;  // "no answer within 2000 ms"
  bool answered() const { return error.isEmpty(); }
  static UpstreamResilience fromJson(const QJsonObject& json);
};

struct RetryCount {
  QString service;
  QString method;
  qint64 retriedAttempts = 0;
  static RetryCount fromJson(const QJsonObject& json);
};

struct RateLimitPolicy {
  QString name;  // login, register, checkout, default, ...
  qint64 limit = 0;
  qint64 windowSeconds = 0;
  static RateLimitPolicy fromJson(const QJsonObject& json);
};

// One policy's requests refused with 429 since the gateway started.
struct RateLimitRejections {
  QString policy;
  qint64 rejected = 0;
};

// A fault switched on in the fault lab: added latency, an error rate and an abort rate for one
// RPC of a service, or for all of them (method "*").
struct Fault {
  QString service;
  QString method;  // an RPC name, or "*" for every RPC of the service
  qint64 latencyMs = 0;
  qint64 errorPercent = 0;
  qint64 abortPercent = 0;
  QString setBy;
  QDateTime setAt;
  bool everyMethod() const { return method == u"*"; }
  // "+500 ms, 10 % errors", "20 % aborts": what the fault does, in words.
  QString effect() const;
  static Fault fromJson(const QJsonObject& json);
};

struct ResilienceReport {
  QList<UpstreamResilience> upstreams;
  QList<RetryCount> retries;
  QList<RateLimitPolicy> rateLimitPolicies;
  QList<RateLimitRejections> rateLimitRejected;  // sorted by policy name (a JSON object has no order)
  QList<Fault> faults;
  static ResilienceReport fromJson(const QJsonObject& json);
};

// --- Live figures (GET /admin/observability), read by the gateway from Prometheus ------------
// Every figure is optional: null in the JSON (Prometheus has no series for it, or NaN) stays
// nullopt here and is shown as a dash, never as 0.

// One Prometheus job: the gateway (its HTTP requests) or a service (its RPCs), over the last minute.
struct ServiceFigures {
  QString job;
  std::optional<qint64> instancesUp;
  std::optional<qint64> instances;
  std::optional<double> requestRate;  // per second
  std::optional<double> errorRatio;   // 0..1
  std::optional<double> p99Seconds;
  static ServiceFigures fromJson(const QJsonObject& json);
};

struct OutboxFigures {
  QString job;
  std::optional<qint64> unpublishedRows;
  std::optional<double> oldestAgeSeconds;
  static OutboxFigures fromJson(const QJsonObject& json);
};

struct ConsumerLag {
  QString job;
  QString topic;
  std::optional<qint64> lag;  // messages not yet read
  static ConsumerLag fromJson(const QJsonObject& json);
};

struct DeadLetterCount {
  QString job;
  QString topic;  // where the event came from
  std::optional<qint64> total;     // since the job's processes started
  std::optional<qint64> lastHour;
  static DeadLetterCount fromJson(const QJsonObject& json);
};

struct ObservabilityReport {
  QString prometheusUrl;
  QString traceUiUrl;  // "" when the gateway has none
  QList<ServiceFigures> services;
  QList<OutboxFigures> outbox;
  QList<ConsumerLag> consumerLag;
  QList<DeadLetterCount> deadLetters;
  std::optional<double> sagasCompletedRate;  // per second
  std::optional<double> sagasFailedRate;
  QDateTime readAt;
  static ObservabilityReport fromJson(const QJsonObject& json);
};

struct Event {
  QString topic;
  int partition = 0;
  qint64 offset = 0;
  QString key;
  QString eventId;
  QString eventType;
  QString aggregateId;
  QDateTime occurredAt;
  QString producer;
  QJsonObject payload;
  static Event fromJson(const QJsonObject& json);
};

struct DeadLetter {
  int partition = 0;
  qint64 offset = 0;
  QString originalTopic;
  QString error;
  QString consumerGroup;
  QString eventType;
  QString key;
  QDateTime at;
  static DeadLetter fromJson(const QJsonObject& json);
};

struct Topic {
  QString name;
  QString producer;
  QStringList consumers;
  QStringList payloads;
  static Topic fromJson(const QJsonObject& json);
};

struct SalesBucket {
  QDateTime start;
  qint64 orders = 0;
  Money revenue;
  static SalesBucket fromJson(const QJsonObject& json);
};

struct SalesReport {
  QString granularity;  // hour | day
  QString currency;
  QList<SalesBucket> buckets;
  static SalesReport fromJson(const QJsonObject& json);
};

}  // namespace storefront::admin

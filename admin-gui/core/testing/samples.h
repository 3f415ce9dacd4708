// Sample JSON shaped as the gateway's operator routes answer (gateway/openapi/openapi.json documents
// them), shared by the core and widget tests.
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace storefront::admin::testing {

inline QJsonObject objectOf(const QByteArray& json) { return QJsonDocument::fromJson(json).object(); }

inline const QByteArray kLogin = R"({"access_token":"tok-123","token_type":"Bearer","expires_in":3600})";

inline const QByteArray kProduct = R"({
  "id": "3f2c1a9e-0000-4000-8000-000000000001", "sku": "HOM-LP-0001", "name": "Desk lamp",
  "description": "Warm light", "price": {"amount_minor": 4999, "currency": "USD"},
  "category_id": "home", "image_url": "https://img.example/lamp.png", "active": true,
  "created_at": "2024-05-01T09:00:00Z", "updated_at": "2024-05-02T10:30:00.123456Z"})";

inline const QByteArray kProductsPage1 = R"({"items": [
  {"id": "p1", "sku": "HOM-LP-0001", "name": "Desk lamp", "price": {"amount_minor": 4999, "currency": "USD"},
   "category_id": "home", "active": true},
  {"id": "p2", "sku": "AUD-HP-0100", "name": "Headphones", "price": {"amount_minor": 12900, "currency": "USD"},
   "category_id": "audio", "active": false}],
  "next_cursor": "c2"})";

inline const QByteArray kProductsPage2 = R"({"items": [
  {"id": "p3", "sku": "AUD-SP-0200", "name": "Speaker", "price": {"amount_minor": 900, "currency": "USD"},
   "category_id": "audio", "active": true}],
  "next_cursor": null})";

inline const QByteArray kStockLevel = R"({"product_id": "p1", "on_hand": 12, "reserved": 3, "available": 9,
  "low_stock_threshold": 10, "updated_at": "2024-05-02T10:00:00Z"})";

inline const QByteArray kAdjustmentResult = R"({
  "level": {"product_id": "p1", "on_hand": 17, "reserved": 3, "available": 14, "low_stock_threshold": 10,
            "updated_at": "2024-05-02T11:00:00Z"},
  "adjustment": {"id": "a1", "product_id": "p1", "delta": 5, "reason": "restock", "note": "pallet 7",
                 "actor": "operator@storefront.local", "on_hand_after": 17, "created_at": "2024-05-02T11:00:00Z"}})";

inline const QByteArray kOrder = R"({
  "order_id": "9b1d0c7e-1111-4000-8000-00000000abcd", "status": "confirmed", "failure": null,
  "failure_reason": null,
  "items": [{"product_id": "p1", "sku": "HOM-LP-0001", "name": "Desk lamp", "quantity": 2,
             "unit_price": {"amount_minor": 4999, "currency": "USD"},
             "line_total": {"amount_minor": 9998, "currency": "USD"}}],
  "subtotal": {"amount_minor": 9998, "currency": "USD"},
  "shipping_price": {"amount_minor": 500, "currency": "USD"},
  "total": {"amount_minor": 10498, "currency": "USD"},
  "shipping_address": {"name": "Ada Lovelace", "line1": "1 Main St", "line2": "", "city": "London",
                       "region": "", "postal_code": "NW1 6XE", "country": "GB"},
  "shipping_option_id": "standard",
  "payment": {"payment_id": "pay1", "status": "authorized", "card_brand": "visa", "card_last4": "4242"},
  "shipment": {"shipment_id": "s1", "carrier": "DHL", "tracking_number": "TRK1", "status": "label_created"},
  "timeline": [
    {"status": "pending", "note": "order placed", "at": "2024-05-02T10:00:00Z"},
    {"status": "reserved", "note": "stock held", "at": "2024-05-02T10:00:01Z"},
    {"status": "payment_authorized", "note": "card authorized", "at": "2024-05-02T10:00:02Z"},
    {"status": "confirmed", "note": "shipment label created", "at": "2024-05-02T10:00:03Z"}],
  "created_at": "2024-05-02T10:00:00Z", "updated_at": "2024-05-02T10:00:03Z",
  "customer_id": "c1", "customer_email": "ada@example.com",
  "saga_steps": [
    {"name": "reserve_stock", "state": "succeeded", "detail": "2 units", "at": "2024-05-02T10:00:01Z"},
    {"name": "authorize_payment", "state": "succeeded", "detail": "visa 4242", "at": "2024-05-02T10:00:02Z"},
    {"name": "create_shipment", "state": "succeeded", "detail": "TRK1", "at": "2024-05-02T10:00:03Z"}],
  "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
  "trace_url": "http://127.0.0.1:9411/zipkin/traces/4bf92f3577b34da6a3ce929d0e0e4736"})";

inline const QByteArray kShipment = R"({"id": "s1", "order_id": "o1", "customer_id": "c1",
  "tracking_number": "TRK1", "carrier": "DHL", "service": "express", "status": "label_created",
  "created_at": "2024-05-02T10:00:03Z", "dispatched_at": null, "delivered_at": null})";

inline const QByteArray kHealth = R"({"status": "degraded", "components": [
  {"name": "catalog", "kind": "service", "status": "ok", "detail": "SERVING"},
  {"name": "postgres", "kind": "database", "status": "ok", "detail": ""},
  {"name": "kafka", "kind": "broker", "status": "down", "detail": "connection refused"}]})";

// The gateway's breaker towards each service is reported beside its health.
inline const QByteArray kHealthWithBreakers = R"({"status": "degraded", "components": [
  {"name": "catalog", "kind": "service", "status": "ok", "detail": "SERVING", "breaker": "closed"},
  {"name": "payments", "kind": "service", "status": "down", "detail": "deadline exceeded", "breaker": "open"},
  {"name": "inventory", "kind": "service", "status": "ok", "detail": "SERVING", "breaker": "half_open"},
  {"name": "postgres", "kind": "database", "status": "ok", "detail": ""}]})";

// An open breaker, a half-open one, a closed one, an entry without a bulkhead (a partial
// report), a caller that did not answer, retries, rate limits with a refusal-only name, a fault.
inline const QByteArray kResilience = R"({
  "upstreams": [
    {"caller": "gateway", "upstream": "payments",
     "breaker": {"state": "open", "calls": 12, "failures": 9, "rejected": 31, "retry_after_seconds": 12},
     "bulkhead": {"in_flight": 0, "limit": 64, "rejected": 0}},
    {"caller": "gateway", "upstream": "catalog",
     "breaker": {"state": "closed", "calls": 240, "failures": 0, "rejected": 0, "retry_after_seconds": 0},
     "bulkhead": {"in_flight": 64, "limit": 64, "rejected": 5}},
    {"caller": "gateway", "upstream": "inventory",
     "breaker": {"state": "half_open", "calls": 1, "failures": 0}},
    {"caller": "checkout", "error": "no answer within 2000 ms"}],
  "retries": [{"service": "payments", "method": "Authorize", "retried_attempts": 3},
              {"service": "catalog", "method": "GetProduct", "retried_attempts": 0}],
  "rate_limits": {"policies": [{"name": "login", "limit": 5, "window_seconds": 60},
                               {"name": "checkout", "limit": 10, "window_seconds": 60}],
                  "rejected": {"login": 2, "default": 7}},
  "faults": [{"service": "payments", "method": "*", "latency_ms": 0, "error_percent": 50, "abort_percent": 0,
              "set_by": "operator@storefront.local", "set_at": "2026-12-07T10:00:00Z"}]})";

// The gateway's figures from Prometheus: a service failing 6 % of its RPCs with one of two
// replicas down, one with no traffic (its ratio and p99 null), a job only the outbox names, an old
// outbox row, a lagging consumer and a dead letter in the last hour.
inline const QByteArray kObservability = R"({
  "prometheus_url": "http://127.0.0.1:9090", "trace_ui_url": "http://127.0.0.1:9411/zipkin/traces/",
  "read_at": "2026-12-07T10:00:05Z",
  "services": [
    {"job": "gateway", "instances_up": 1, "instances": 1, "request_rate": 42.4, "error_ratio": 0.0025, "p99_seconds": 0.0183},
    {"job": "payments", "instances_up": 1, "instances": 2, "request_rate": 3.5, "error_ratio": 0.06, "p99_seconds": 1.2},
    {"job": "shipping", "instances_up": 1, "instances": 1, "request_rate": 0, "error_ratio": null, "p99_seconds": null}],
  "outbox": [
    {"job": "payments", "unpublished_rows": 0, "oldest_unpublished_age_seconds": 0},
    {"job": "checkout", "unpublished_rows": 12, "oldest_unpublished_age_seconds": 75}],
  "consumer_lag": [
    {"job": "shipping", "topic": "storefront.checkout.v1", "lag": 150},
    {"job": "payments", "topic": "storefront.checkout.v1", "lag": 0}],
  "dead_letters": [
    {"job": "payments", "topic": "storefront.checkout.v1", "total": 3, "last_hour": 1},
    {"job": "inventory", "topic": "storefront.checkout.v1", "total": 2, "last_hour": 0}],
  "sagas": {"completed_rate": 0.5, "failed_rate": 0.2}})";

// The observability route's 503s: no PROMETHEUS_URL (prometheus_url null), and a Prometheus that
// does not answer.
inline const QByteArray kPrometheusNotConfigured = R"({
  "type": "https://storefront.dev/problems/observability-unavailable", "title": "Observability unavailable",
  "status": 503, "detail": "Prometheus is not configured: set PROMETHEUS_URL on the gateway to show the store's figures",
  "instance": "/api/v1/admin/observability", "request_id": "req-20", "prometheus_url": null})";
inline const QByteArray kPrometheusUnreachable = R"({
  "type": "https://storefront.dev/problems/observability-unavailable", "title": "Observability unavailable",
  "status": 503, "detail": "Prometheus at http://127.0.0.1:9090 did not answer within 1500 ms",
  "instance": "/api/v1/admin/observability", "request_id": "req-21", "prometheus_url": "http://127.0.0.1:9090"})";

inline const QByteArray kFault = R"({"service": "payments", "method": "Authorize", "latency_ms": 500,
  "error_percent": 0, "abort_percent": 0, "set_by": "operator@storefront.local", "set_at": "2026-12-07T10:00:00Z"})";

inline const QByteArray kFaults = R"({"items": [
  {"service": "payments", "method": "Authorize", "latency_ms": 500, "error_percent": 0, "abort_percent": 0,
   "set_by": "operator@storefront.local", "set_at": "2026-12-07T10:00:00Z"},
  {"service": "inventory", "method": "*", "latency_ms": 0, "error_percent": 20, "abort_percent": 5,
   "set_by": "operator@storefront.local", "set_at": "2026-12-07T10:05:00Z"}]})";

inline const QByteArray kInvalidFaultProblem = R"({
  "type": "https://storefront.dev/problems/invalid-request", "title": "Invalid request", "status": 400,
  "detail": "method: payments has no RPC named Authorise", "instance": "/api/v1/admin/faults/payments/Authorise",
  "request_id": "req-12", "errors": [{"field": "method", "detail": "payments has no RPC named Authorise"}]})";

inline const QByteArray kEvents = R"({"items": [
  {"topic": "orders", "partition": 0, "offset": 42, "key": "o1", "event_id": "e1",
   "event_type": "order.confirmed", "aggregate_id": "o1", "occurred_at": "2024-05-02T10:00:03Z",
   "producer": "checkout", "payload": {"order_id": "o1", "total": {"amount_minor": 10498, "currency": "USD"}}}]})";

inline const QByteArray kDeadLetters = R"({"items": [
  {"partition": 1, "offset": 7, "original_topic": "orders", "error": "payload is not valid JSON",
   "consumer_group": "inventory", "event_type": "order.cancelled", "key": "o9", "at": "2024-05-02T12:00:00Z"}]})";

inline const QByteArray kTopics = R"({"items": [
  {"name": "orders", "producer": "checkout", "consumers": ["inventory", "shipping"], "payloads": ["OrderEvent"]}]})";

inline const QByteArray kSales = R"({"granularity": "hour", "currency": "USD", "buckets": [
  {"start": "2024-05-02T09:00:00Z", "orders": 3, "revenue": {"amount_minor": 15000, "currency": "USD"}},
  {"start": "2024-05-02T10:00:00Z", "orders": 0, "revenue": {"amount_minor": 0, "currency": "USD"}}]})";

inline const QByteArray kInvalidProductProblem = R"({
  "type": "https://storefront.dev/problems/invalid-request", "title": "Invalid request", "status": 400,
  "detail": "sku: must be 3 to 32 characters of A-Z, 0-9 and -; price.amount_minor: must be between 0 and 10000000000 minor units",
  "instance": "/api/v1/admin/products", "request_id": "req-7",
  "errors": [{"field": "sku", "detail": "must be 3 to 32 characters of A-Z, 0-9 and -"},
             {"field": "price.amount_minor", "detail": "must be between 0 and 10000000000 minor units"}]})";

inline const QByteArray kConflictProblem = R"({
  "type": "https://storefront.dev/problems/conflict", "title": "Conflict", "status": 409,
  "detail": "the order has shipped and can no longer be cancelled", "instance": "/api/v1/admin/orders/o1/cancel",
  "request_id": "req-9"})";

}  // namespace storefront::admin::testing

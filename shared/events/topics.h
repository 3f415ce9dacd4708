// Every Kafka topic of the store, in one place: name, producer, consumers, payloads.
// Naming: storefront.<producer>.<aggregate>.v<major>. Keys are aggregate ids, so one
// aggregate's events stay in order on one partition. infra/kafka/topics.txt lists the same
// names for the development broker (a test keeps the two in step).
#pragma once

#include <array>
#include <string_view>

namespace storefront::events {

struct TopicInfo {
  std::string_view name;
  std::string_view producer;
  std::string_view consumers;
  std::string_view payloads;
};

// catalog -> gateway (its read cache follows it, without a consumer group)
inline constexpr std::string_view kProductTopic = "storefront.catalog.product.v1";
// checkout -> cart, inventory, shipping, payments
inline constexpr std::string_view kOrderTopic = "storefront.checkout.order.v1";
// inventory -> (operators' console, later)
inline constexpr std::string_view kStockTopic = "storefront.inventory.stock.v1";
// shipping -> payments, checkout
inline constexpr std::string_view kShipmentTopic = "storefront.shipping.shipment.v1";
// payments -> checkout
inline constexpr std::string_view kPaymentTopic = "storefront.payments.payment.v1";
// every consumer -> people: events that could not be decoded or kept failing
inline constexpr std::string_view kDeadLetterTopic = "storefront.deadletter.v1";
// gateway -> every consumer: an operator's request to apply a dead-lettered event again. It carries
// no event, only where the event is (the headers below): the consumer reads it from its owner's
// topic, so a replay can only ever apply what the owner published.
inline constexpr std::string_view kReplayTopic = "storefront.gateway.replay.v1";

// Event types (EventEnvelope.event_type): storefront.<producer>.<aggregate>.<what happened>.v1
namespace types {
inline constexpr std::string_view kProductCreated = "storefront.catalog.product.created.v1";
inline constexpr std::string_view kProductChanged = "storefront.catalog.product.changed.v1";
inline constexpr std::string_view kProductDeactivated = "storefront.catalog.product.deactivated.v1";
inline constexpr std::string_view kOrderPlaced = "storefront.checkout.order.placed.v1";
inline constexpr std::string_view kOrderConfirmed = "storefront.checkout.order.confirmed.v1";
inline constexpr std::string_view kOrderFailed = "storefront.checkout.order.failed.v1";
inline constexpr std::string_view kOrderCancelled = "storefront.checkout.order.cancelled.v1";
inline constexpr std::string_view kStockChanged = "storefront.inventory.stock.changed.v1";
inline constexpr std::string_view kLowStock = "storefront.inventory.stock.low.v1";
inline constexpr std::string_view kReservationCommitted = "storefront.inventory.reservation.committed.v1";
inline constexpr std::string_view kReservationReleased = "storefront.inventory.reservation.released.v1";
inline constexpr std::string_view kShipmentCreated = "storefront.shipping.shipment.created.v1";
inline constexpr std::string_view kShipmentDispatched = "storefront.shipping.shipment.dispatched.v1";
inline constexpr std::string_view kShipmentDelivered = "storefront.shipping.shipment.delivered.v1";
inline constexpr std::string_view kShipmentCancelled = "storefront.shipping.shipment.cancelled.v1";
inline constexpr std::string_view kPaymentAuthorized = "storefront.payments.payment.authorized.v1";
inline constexpr std::string_view kPaymentCaptured = "storefront.payments.payment.captured.v1";
inline constexpr std::string_view kPaymentVoided = "storefront.payments.payment.voided.v1";
inline constexpr std::string_view kPaymentRefunded = "storefront.payments.payment.refunded.v1";
inline constexpr std::string_view kPaymentFailed = "storefront.payments.payment.failed.v1";
}  // namespace types

// The headers of a replay request: the consumer group the replayed event is for (other groups skip
// the replay: they applied the event the first time, or never had to), and where the event is.
// A dead letter carries the same original_* headers (and the group as consumer_group).
inline constexpr std::string_view kReplayForGroupHeader = "replay_for_group";
inline constexpr std::string_view kOriginalTopicHeader = "original_topic";
inline constexpr std::string_view kOriginalPartitionHeader = "original_partition";
inline constexpr std::string_view kOriginalOffsetHeader = "original_offset";

inline constexpr std::array<TopicInfo, 7> kTopics = {{
    {kProductTopic, "catalog", "gateway (read cache)", "ProductCreated, ProductChanged, ProductDeactivated"},
    {kOrderTopic, "checkout", "cart, inventory, shipping, payments",
     "OrderPlaced, OrderConfirmed, OrderFailed, OrderCancelled"},
    {kStockTopic, "inventory", "-", "StockChanged, LowStock, ReservationCommitted, ReservationReleased"},
    {kShipmentTopic, "shipping", "payments, checkout",
     "ShipmentCreated, ShipmentDispatched, ShipmentDelivered, ShipmentCancelled"},
    {kPaymentTopic, "payments", "checkout",
     "PaymentAuthorized, PaymentCaptured, PaymentVoided, PaymentRefunded, PaymentFailed"},
    {kDeadLetterTopic, "every consumer", "operators", "the original message, with error headers"},
    {kReplayTopic, "gateway", "every consumer", "replay requests: headers only (group, original topic, partition, offset)"},
}};

// The service that owns `topic`, the only one that may publish to it ("shipping" for
// kShipmentTopic); "" for the dead-letter topic (every consumer writes it) and for a topic the store
// does not have. Consumers refuse an envelope on an owned topic that names another producer or an
// event type of another (consumer.h), and with authenticated producers the broker's ACLs keep the
// others from writing it at all (SECURITY.md).
constexpr std::string_view TopicOwner(std::string_view topic) {
  for (const auto& known : kTopics) {
    if (known.name == topic && known.name != kDeadLetterTopic) return known.producer;
  }
  return {};
}

}  // namespace storefront::events

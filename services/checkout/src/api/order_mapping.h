// How an order appears in checkout's published contracts: the Order message its RPCs answer
// (storefront.checkout.v1) and the payloads of the events it announces (storefront.events.v1,
// which repo/order_outbox.cpp writes to the outbox in the transaction that saves the order).
// Both carry the same lines, money and address, mapped here once.
//
// Enums are mapped value by value with switches, never by arithmetic on their numbers, so
// reordering either side cannot shift a status into its neighbour (order_mapping_test.cpp checks
// every value).
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <optional>
#include <string_view>

#include "domain/checkout.h"
#include "storefront/checkout/v1/checkout.pb.h"
#include "storefront/payments/v1/payments.pb.h"
#include "storefront/shipping/v1/shipping.pb.h"

namespace storefront::checkout::api {

namespace pb = ::storefront::checkout::v1;

void ToProto(const domain::Order& order, pb::Order* out);

pb::OrderStatus ToProto(domain::OrderStatus status);
pb::OrderFailure ToProto(domain::Failure failure);
pb::SagaStepState ToProto(domain::StepState state);
::storefront::payments::v1::PaymentStatus ToProto(domain::PaymentStatus status);
::storefront::shipping::v1::ShipmentStatus ToProto(domain::ShipmentStatus status);
pb::SalesGranularity ToProto(domain::Granularity granularity);

// nullopt for UNSPECIFIED and for numbers this build does not know.
std::optional<domain::OrderStatus> FromProto(pb::OrderStatus status);
std::optional<domain::Granularity> FromProto(pb::SalesGranularity granularity);

// One event an order announces: its type (events/topics.h) and payload.
struct OrderEventMessage {
  std::string_view type;
  std::unique_ptr<google::protobuf::Message> payload;
};
OrderEventMessage ToProto(const domain::Order& order, domain::OrderEvent event);

}  // namespace storefront::checkout::api

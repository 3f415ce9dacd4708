#include "api/shipping_api.h"

#include <optional>

#include "shared/errors/errors.h"
#include "shared/rpc/status.h"
#include "shared/types/proto.h"

namespace storefront::shipping::api {
namespace {

pb::ShipmentStatus ToProto(domain::ShipmentStatus status) {
  using S = domain::ShipmentStatus;
  switch (status) {
    case S::kUnspecified: return pb::SHIPMENT_STATUS_UNSPECIFIED;
    case S::kLabelCreated: return pb::SHIPMENT_STATUS_LABEL_CREATED;
    case S::kDispatched: return pb::SHIPMENT_STATUS_DISPATCHED;
    case S::kDelivered: return pb::SHIPMENT_STATUS_DELIVERED;
    case S::kCancelled: return pb::SHIPMENT_STATUS_CANCELLED;
  }
  return pb::SHIPMENT_STATUS_UNSPECIFIED;
}

// Proto3 enums are open: a number this build does not know arrives as is, and is nullopt here.
std::optional<domain::ShipmentStatus> FromProto(pb::ShipmentStatus status) {
  using S = domain::ShipmentStatus;
  switch (status) {
    case pb::SHIPMENT_STATUS_UNSPECIFIED: return S::kUnspecified;
    case pb::SHIPMENT_STATUS_LABEL_CREATED: return S::kLabelCreated;
    case pb::SHIPMENT_STATUS_DISPATCHED: return S::kDispatched;
    case pb::SHIPMENT_STATUS_DELIVERED: return S::kDelivered;
    case pb::SHIPMENT_STATUS_CANCELLED: return S::kCancelled;
    default: return std::nullopt;
  }
}

}  // namespace

void ToProto(const domain::Shipment& shipment, pb::Shipment* out) {
  out->set_id(shipment.id);
  out->set_order_id(shipment.order_id);
  out->set_customer_id(shipment.customer_id);
  out->set_tracking_number(shipment.tracking_number);
  out->set_carrier(shipment.carrier);
  out->set_service(shipment.service);
  out->set_shipping_option_id(shipment.shipping_option_id);
  out->set_status(ToProto(shipment.status));
  types::ToProto(shipment.address, out->mutable_address());
  for (const auto& item : shipment.items) {
    auto* line = out->add_items();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
  }
  out->set_cancel_reason(shipment.cancel_reason);
  *out->mutable_created_at() = types::ToProto(shipment.created_at);
  if (shipment.dispatched_at) *out->mutable_dispatched_at() = types::ToProto(*shipment.dispatched_at);
  if (shipment.delivered_at) *out->mutable_delivered_at() = types::ToProto(*shipment.delivered_at);
  if (shipment.cancelled_at) *out->mutable_cancelled_at() = types::ToProto(*shipment.cancelled_at);
  *out->mutable_updated_at() = types::ToProto(shipment.updated_at);
}

domain::NewShipmentRequest FromProto(const pb::CreateShipmentRequest& request) {
  domain::NewShipmentRequest out;
  out.order_id = request.order_id();
  out.customer_id = request.customer_id();
  out.shipping_option_id = request.shipping_option_id();
  if (request.has_address()) out.address = types::FromProto(request.address());
  // Bounded before copying: the domain names the problem, and a hostile request with a
  // million lines is not copied first.
  const int lines = std::min(request.items_size(), static_cast<int>(domain::kMaxShipmentLines) + 1);
  for (int i = 0; i < lines; ++i) {
    const auto& item = request.items(i);
    out.items.push_back({item.product_id(), item.sku(), item.name(), item.quantity()});
  }
  return out;
}

grpc::Status ShippingApi::GetQuotes(grpc::ServerContext* context, const pb::GetQuotesRequest* request,
                                    pb::GetQuotesResponse* response) {
  return rpc::Handle(context, [&] {
    domain::QuoteRequest quote;
    if (request->has_address()) quote.address = types::FromProto(request->address());
    quote.item_count = request->item_count();
    if (request->has_subtotal()) quote.subtotal = types::FromProto(request->subtotal());
    for (const auto& option : shipping_.GetQuotes(quote)) {
      auto* out = response->add_options();
      out->set_id(option.id);
      out->set_carrier(option.carrier);
      out->set_service(option.service);
      types::ToProto(option.price, out->mutable_price());
      out->set_estimated_days(option.estimated_days);
    }
  });
}

grpc::Status ShippingApi::CreateShipment(grpc::ServerContext* context, const pb::CreateShipmentRequest* request,
                                         pb::Shipment* response) {
  return rpc::Handle(context, [&] { ToProto(shipping_.CreateShipment(FromProto(*request)), response); });
}

grpc::Status ShippingApi::GetShipment(grpc::ServerContext* context, const pb::GetShipmentRequest* request,
                                      pb::Shipment* response) {
  return rpc::Handle(context, [&] { ToProto(shipping_.GetShipment(request->id()), response); });
}

grpc::Status ShippingApi::GetShipmentByOrder(grpc::ServerContext* context, const pb::GetShipmentByOrderRequest* request,
                                             pb::Shipment* response) {
  return rpc::Handle(context, [&] { ToProto(shipping_.GetShipmentByOrder(request->order_id()), response); });
}

grpc::Status ShippingApi::ListShipments(grpc::ServerContext* context, const pb::ListShipmentsRequest* request,
                                        pb::ListShipmentsResponse* response) {
  return rpc::Handle(context, [&] {
    // UNSPECIFIED lists every status, so an unknown number cannot be passed on as UNSPECIFIED.
    auto status = FromProto(request->status());
    if (!status) throw InvalidArgument("status", "must be a shipment status, or UNSPECIFIED for all");
    auto result = shipping_.ListShipments({.status = *status,
                                           .page_size = request->page_size(),
                                           .page_token = request->page_token()});
    for (const auto& shipment : result.shipments) ToProto(shipment, response->add_shipments());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status ShippingApi::AdvanceShipment(grpc::ServerContext* context, const pb::AdvanceShipmentRequest* request,
                                          pb::Shipment* response) {
  return rpc::Handle(context, [&] {
    // An unknown number goes on as UNSPECIFIED, which the domain refuses alike (naming to_status).
    auto to = FromProto(request->to_status()).value_or(domain::ShipmentStatus::kUnspecified);
    ToProto(shipping_.AdvanceShipment(request->id(), to), response);
  });
}

grpc::Status ShippingApi::CancelShipment(grpc::ServerContext* context, const pb::CancelShipmentRequest* request,
                                         pb::Shipment* response) {
  return rpc::Handle(context, [&] { ToProto(shipping_.CancelShipment(request->id(), request->reason()), response); });
}

}  // namespace storefront::shipping::api

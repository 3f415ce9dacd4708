#include "api/shipping_api.h"

#include <google/protobuf/util/time_util.h>

#include "shared/rpc/status.h"

namespace storefront::shipping::api {
namespace {

using google::protobuf::util::TimeUtil;
namespace common = ::storefront::common::v1;

google::protobuf::Timestamp ToProto(domain::Timestamp at) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

void ToProto(const domain::Address& address, common::Address* out) {
  out->set_name(address.name);
  out->set_line1(address.line1);
  out->set_line2(address.line2);
  out->set_city(address.city);
  out->set_region(address.region);
  out->set_postal_code(address.postal_code);
  out->set_country(address.country);
}

domain::Address FromProto(const common::Address& address) {
  return {address.name(),   address.line1(),       address.line2(), address.city(),
          address.region(), address.postal_code(), address.country()};
}

// Proto3 enums are open: an unknown number arrives as is and the domain rejects it.
domain::ShipmentStatus FromProto(pb::ShipmentStatus status) { return static_cast<domain::ShipmentStatus>(status); }

}  // namespace

void ToProto(const domain::Shipment& shipment, pb::Shipment* out) {
  out->set_id(shipment.id);
  out->set_order_id(shipment.order_id);
  out->set_customer_id(shipment.customer_id);
  out->set_tracking_number(shipment.tracking_number);
  out->set_carrier(shipment.carrier);
  out->set_service(shipment.service);
  out->set_shipping_option_id(shipment.shipping_option_id);
  out->set_status(static_cast<pb::ShipmentStatus>(shipment.status));
  ToProto(shipment.address, out->mutable_address());
  for (const auto& item : shipment.items) {
    auto* line = out->add_items();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
  }
  out->set_cancel_reason(shipment.cancel_reason);
  *out->mutable_created_at() = ToProto(shipment.created_at);
  if (shipment.dispatched_at) *out->mutable_dispatched_at() = ToProto(*shipment.dispatched_at);
  if (shipment.delivered_at) *out->mutable_delivered_at() = ToProto(*shipment.delivered_at);
  if (shipment.cancelled_at) *out->mutable_cancelled_at() = ToProto(*shipment.cancelled_at);
  *out->mutable_updated_at() = ToProto(shipment.updated_at);
}

domain::NewShipmentRequest FromProto(const pb::CreateShipmentRequest& request) {
  domain::NewShipmentRequest out;
  out.order_id = request.order_id();
  out.customer_id = request.customer_id();
  out.shipping_option_id = request.shipping_option_id();
  if (request.has_address()) out.address = FromProto(request.address());
  // Bounded before copying: the domain names the problem, and a hostile request with a
  // million lines is not copied first.
  const int lines = std::min(request.items_size(), static_cast<int>(domain::kMaxShipmentLines) + 1);
  for (int i = 0; i < lines; ++i) {
    const auto& item = request.items(i);
    out.items.push_back({item.product_id(), item.sku(), item.name(), item.quantity()});
  }
  return out;
}

grpc::Status ShippingApi::GetQuotes(grpc::ServerContext*, const pb::GetQuotesRequest* request,
                                    pb::GetQuotesResponse* response) {
  return rpc::Handle([&] {
    domain::QuoteRequest quote;
    if (request->has_address()) quote.address = FromProto(request->address());
    quote.item_count = request->item_count();
    if (request->has_subtotal()) {
      quote.subtotal = domain::Money{request->subtotal().amount_minor(), request->subtotal().currency()};
    }
    for (const auto& option : shipping_.GetQuotes(quote)) {
      auto* out = response->add_options();
      out->set_id(option.id);
      out->set_carrier(option.carrier);
      out->set_service(option.service);
      out->mutable_price()->set_amount_minor(option.price.amount_minor);
      out->mutable_price()->set_currency(option.price.currency);
      out->set_estimated_days(option.estimated_days);
    }
  });
}

grpc::Status ShippingApi::CreateShipment(grpc::ServerContext*, const pb::CreateShipmentRequest* request,
                                         pb::Shipment* response) {
  return rpc::Handle([&] { ToProto(shipping_.CreateShipment(FromProto(*request)), response); });
}

grpc::Status ShippingApi::GetShipment(grpc::ServerContext*, const pb::GetShipmentRequest* request,
                                      pb::Shipment* response) {
  return rpc::Handle([&] { ToProto(shipping_.GetShipment(request->id()), response); });
}

grpc::Status ShippingApi::GetShipmentByOrder(grpc::ServerContext*, const pb::GetShipmentByOrderRequest* request,
                                             pb::Shipment* response) {
  return rpc::Handle([&] { ToProto(shipping_.GetShipmentByOrder(request->order_id()), response); });
}

grpc::Status ShippingApi::ListShipments(grpc::ServerContext*, const pb::ListShipmentsRequest* request,
                                        pb::ListShipmentsResponse* response) {
  return rpc::Handle([&] {
    auto result = shipping_.ListShipments({.status = FromProto(request->status()),
                                           .page_size = request->page_size(),
                                           .page_token = request->page_token()});
    for (const auto& shipment : result.shipments) ToProto(shipment, response->add_shipments());
    response->set_next_page_token(result.next_page_token);
  });
}

grpc::Status ShippingApi::AdvanceShipment(grpc::ServerContext*, const pb::AdvanceShipmentRequest* request,
                                          pb::Shipment* response) {
  return rpc::Handle(
      [&] { ToProto(shipping_.AdvanceShipment(request->id(), FromProto(request->to_status())), response); });
}

grpc::Status ShippingApi::CancelShipment(grpc::ServerContext*, const pb::CancelShipmentRequest* request,
                                         pb::Shipment* response) {
  return rpc::Handle([&] { ToProto(shipping_.CancelShipment(request->id(), request->reason()), response); });
}

}  // namespace storefront::shipping::api

#include "routes/admin/shipments.h"

#include "http/json_fields.h"

namespace storefront::gateway::routes::admin {
namespace {

namespace shippingpb = storefront::shipping::v1;

void ListShipments(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  shippingpb::ListShipmentsRequest upstream;
  Errors errors;
  Paging(request, 100, upstream, errors);
  if (const auto* status = Query(request, "status")) {
    auto value = EnumValue<shippingpb::ShipmentStatus>(*status, "SHIPMENT_STATUS_");
    if (!value) errors.push_back({"status", "must be one of label_created, dispatched, delivered, cancelled"});
    else upstream.set_status(*value);
  }
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto shipping = c.shipping;
  shipping->Async<shippingpb::ListShipmentsResponse>(For(request), std::move(upstream), STOREFRONT_CALL(shipping, ListShipments),
      Answer<shippingpb::ListShipmentsResponse>(out, "shipping", Code::Ok, [](auto& response) {
        return PageJson(response.shipments(), response.next_page_token(), ShipmentJson);
      }));
}

void AdvanceShipment(AdminClients& c, const http::Request& request, const auth::Principal&, Out out) {
  auto id = PathUuid(request, "id", "shipment", *out);
  if (!id) return;
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string to = body.String("to_status", 1, 32);
  shippingpb::AdvanceShipmentRequest upstream;
  upstream.set_id(*id);
  if (!to.empty()) {
    auto status = EnumValue<shippingpb::ShipmentStatus>(to, "SHIPMENT_STATUS_");
    if (!status || (*status != shippingpb::SHIPMENT_STATUS_DISPATCHED && *status != shippingpb::SHIPMENT_STATUS_DELIVERED)) {
      errors.push_back({"to_status", "must be dispatched or delivered"});
    } else {
      upstream.set_to_status(*status);
    }
  }
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  auto shipping = c.shipping;
  shipping->Async<shippingpb::Shipment>(For(request), std::move(upstream),
                                       STOREFRONT_CALL(shipping, AdvanceShipment),
                                       Answer<shippingpb::Shipment>(out, "shipping", Code::Ok, ShipmentJson));
}

}  // namespace

nlohmann::json ShipmentJson(const shippingpb::Shipment& s) {
  return {{"id", s.id()},
          {"order_id", s.order_id()},
          {"customer_id", s.customer_id()},
          {"tracking_number", s.tracking_number()},
          {"carrier", s.carrier()},
          {"service", s.service()},
          {"status", EnumName(shippingpb::ShipmentStatus_Name(s.status()), "SHIPMENT_STATUS_")},
          {"created_at", TimeJson(s.created_at(), s.has_created_at())},
          {"dispatched_at", TimeJson(s.dispatched_at(), s.has_dispatched_at())},
          {"delivered_at", TimeJson(s.delivered_at(), s.has_delivered_at())}};
}

void AddShipmentRoutes(AdminRoutes& routes) {
  routes.Add(Method::Get, "/api/v1/admin/shipments", ListShipments);
  routes.Add(Method::Post, "/api/v1/admin/shipments/:id/advance", AdvanceShipment);
}

}  // namespace storefront::gateway::routes::admin

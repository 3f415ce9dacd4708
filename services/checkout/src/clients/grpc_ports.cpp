#include "clients/grpc_ports.h"

#include "shared/types/proto.h"

namespace storefront::checkout::clients {
namespace {

using types::FromProto;
using types::ToProto;

namespace cartpb = storefront::cart::v1;
namespace catalogpb = storefront::catalog::v1;
namespace shippingpb = storefront::shipping::v1;
namespace inventorypb = storefront::inventory::v1;
namespace paymentspb = storefront::payments::v1;
using CartStub = cartpb::CartService::StubInterface;
using CatalogStub = catalogpb::CatalogService::StubInterface;
using ShippingStub = shippingpb::ShippingService::StubInterface;
using InventoryStub = inventorypb::InventoryService::StubInterface;
using PaymentsStub = paymentspb::PaymentsService::StubInterface;

// "CARD_BRAND_VISA" -> "VISA": the brand is only shown, so it is kept as payments names it.
std::string ShortName(const std::string& full, const std::string& prefix) {
  return full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
}

domain::PaymentResult FromProto(const paymentspb::Payment& p) {
  return {p.id(), PaymentStatusOf(p.status()), p.decline_code(),
          ShortName(paymentspb::CardBrand_Name(p.card_brand()), "CARD_BRAND_"), p.card_last4()};
}

// A request id that lets one order be followed through every service's log.
std::string RequestIdFor(const std::string& key) { return key.substr(0, 64); }

}  // namespace

domain::PaymentStatus PaymentStatusOf(storefront::payments::v1::PaymentStatus status) {
  using S = domain::PaymentStatus;
  switch (status) {
    case paymentspb::PAYMENT_STATUS_AUTHORIZED: return S::kAuthorized;
    case paymentspb::PAYMENT_STATUS_CAPTURED: return S::kCaptured;
    case paymentspb::PAYMENT_STATUS_VOIDED: return S::kVoided;
    case paymentspb::PAYMENT_STATUS_REFUNDED: return S::kRefunded;
    case paymentspb::PAYMENT_STATUS_PARTIALLY_REFUNDED: return S::kPartiallyRefunded;
    case paymentspb::PAYMENT_STATUS_DECLINED: return S::kDeclined;
    case paymentspb::PAYMENT_STATUS_FAILED: return S::kFailed;
    default: return S::kNone;
  }
}

domain::ShipmentStatus ShipmentStatusOf(storefront::shipping::v1::ShipmentStatus status) {
  using S = domain::ShipmentStatus;
  switch (status) {
    case shippingpb::SHIPMENT_STATUS_LABEL_CREATED: return S::kLabelCreated;
    case shippingpb::SHIPMENT_STATUS_DISPATCHED: return S::kDispatched;
    case shippingpb::SHIPMENT_STATUS_DELIVERED: return S::kDelivered;
    case shippingpb::SHIPMENT_STATUS_CANCELLED: return S::kCancelled;
    default: return S::kNone;
  }
}

void ThrowIfFailed(const grpc::Status& status, const std::string& service) {
  if (status.ok()) return;
  std::string message = service + ": " + status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      throw Unavailable(service + " is unavailable (" + status.error_message() + ")");
    case grpc::StatusCode::INVALID_ARGUMENT: throw InvalidArgument(service, status.error_message());
    case grpc::StatusCode::NOT_FOUND: throw NotFound(message);
    case grpc::StatusCode::ALREADY_EXISTS: throw AlreadyExists(message);
    case grpc::StatusCode::FAILED_PRECONDITION: throw FailedPrecondition(message);
    case grpc::StatusCode::ABORTED: throw Aborted(message);
    default: throw Unavailable(service + " failed (" + status.error_message() + ")");
  }
}

domain::CartContents GrpcCart::GetCart(const std::string& customer_id) {
  cartpb::GetCartRequest request;
  request.set_customer_id(customer_id);
  cartpb::Cart cart;
  ThrowIfFailed(client_.Call(RequestIdFor(customer_id), &CartStub::GetCart, request, &cart), "cart");
  domain::CartContents contents;
  for (const auto& item : cart.items()) contents.lines.push_back({item.product_id(), item.quantity()});
  if (cart.has_updated_at()) {
    contents.version = types::FromProto(cart.updated_at());
    // Without its version the order's confirmation would take out whatever the shopper adds next.
    if (!contents.version) throw Unavailable("cart answered an updated_at that is not a time");
  }
  return contents;
}

std::vector<domain::PricedProduct> GrpcCatalog::BatchGet(const std::vector<std::string>& ids) {
  catalogpb::BatchGetProductsRequest request;
  for (const auto& id : ids) request.add_ids(id);
  catalogpb::BatchGetProductsResponse response;
  ThrowIfFailed(client_.Call("", &CatalogStub::BatchGetProducts, request, &response), "catalog");
  std::vector<domain::PricedProduct> products;
  for (const auto& p : response.products()) {
    products.push_back({p.id(), p.sku(), p.name(), FromProto(p.price()), p.active()});
  }
  return products;
}

std::vector<domain::ShippingQuote> GrpcShipping::Quote(const domain::Address& address, int item_count,
                                                       const domain::Money& subtotal) {
  shippingpb::GetQuotesRequest request;
  ToProto(address, request.mutable_address());
  request.set_item_count(item_count);
  ToProto(subtotal, request.mutable_subtotal());
  shippingpb::GetQuotesResponse response;
  ThrowIfFailed(client_.Call("", &ShippingStub::GetQuotes, request, &response), "shipping");
  std::vector<domain::ShippingQuote> quotes;
  for (const auto& o : response.options()) quotes.push_back({o.id(), o.carrier(), o.service(), FromProto(o.price())});
  return quotes;
}

domain::ShipmentResult GrpcShipping::CreateShipment(const domain::Order& order) {
  shippingpb::CreateShipmentRequest request;
  request.set_order_id(order.id);
  request.set_customer_id(order.customer_id);
  request.set_shipping_option_id(order.shipping_option_id);
  ToProto(order.shipping_address, request.mutable_address());
  for (const auto& item : order.items) {
    auto* line = request.add_items();
    line->set_product_id(item.product_id);
    line->set_sku(item.sku);
    line->set_name(item.name);
    line->set_quantity(item.quantity);
  }
  shippingpb::Shipment shipment;
  ThrowIfFailed(client_.Call(RequestIdFor(order.id), &ShippingStub::CreateShipment, request, &shipment),
                "shipping");
  return {shipment.id(), shipment.carrier(), shipment.tracking_number(), ShipmentStatusOf(shipment.status())};
}

void GrpcShipping::CancelShipment(const std::string& shipment_id, const std::string& reason) {
  shippingpb::CancelShipmentRequest request;
  request.set_id(shipment_id);
  request.set_reason(reason.substr(0, 500));
  shippingpb::Shipment shipment;
  ThrowIfFailed(client_.Call("", &ShippingStub::CancelShipment, request, &shipment), "shipping");
}

domain::ReserveResult GrpcInventory::Reserve(const std::string& order_id, const std::vector<domain::CartLine>& lines,
                                             int ttl_seconds) {
  inventorypb::ReserveStockRequest request;
  request.set_order_id(order_id);
  request.set_ttl_seconds(ttl_seconds);
  for (const auto& line : lines) {
    auto* out = request.add_lines();
    out->set_product_id(line.product_id);
    out->set_quantity(line.quantity);
  }
  inventorypb::ReserveStockResponse response;
  ThrowIfFailed(client_.Call(RequestIdFor(order_id), &InventoryStub::ReserveStock, request, &response),
                "inventory");
  domain::ReserveResult result;
  if (response.has_reservation()) result.reservation_id = response.reservation().id();
  for (const auto& s : response.insufficient_stock().shortages()) {
    result.shortages.push_back({s.product_id(), s.requested(), s.available()});
  }
  return result;
}

void GrpcInventory::Release(const std::string& reservation_id, bool cancelled) {
  inventorypb::ReleaseReservationRequest request;
  request.set_reservation_id(reservation_id);
  request.set_reason(cancelled ? inventorypb::RELEASE_REASON_ORDER_CANCELLED : inventorypb::RELEASE_REASON_CHECKOUT_FAILED);
  inventorypb::Reservation reservation;
  ThrowIfFailed(client_.Call("", &InventoryStub::ReleaseReservation, request, &reservation), "inventory");
}

void GrpcInventory::Commit(const std::string& reservation_id) {
  inventorypb::CommitReservationRequest request;
  request.set_reservation_id(reservation_id);
  inventorypb::Reservation reservation;
  ThrowIfFailed(client_.Call("", &InventoryStub::CommitReservation, request, &reservation), "inventory");
}

domain::PaymentResult GrpcPayments::Authorize(const std::string& idempotency_key, const domain::Order& order,
                                              const domain::Card& card) {
  paymentspb::AuthorizeRequest request;
  request.set_idempotency_key(idempotency_key);
  request.set_order_id(order.id);
  request.set_customer_id(order.customer_id);
  ToProto(order.total, request.mutable_amount());
  auto* c = request.mutable_card();
  c->set_number(card.number);
  c->set_exp_month(card.exp_month);
  c->set_exp_year(card.exp_year);
  c->set_cvc(card.cvc);
  paymentspb::Payment payment;
  auto status = client_.Call(RequestIdFor(order.id), &PaymentsStub::Authorize, request, &payment);
  request.mutable_card()->Clear();  // do not keep the number around longer than the call
  ThrowIfFailed(status, "payments");
  return FromProto(payment);
}

std::optional<domain::PaymentResult> GrpcPayments::FindAuthorized(const std::string& order_id) {
  paymentspb::ListPaymentsRequest request;
  request.set_order_id(order_id);
  paymentspb::ListPaymentsResponse response;
  ThrowIfFailed(client_.Call(RequestIdFor(order_id), &PaymentsStub::ListPayments, request, &response),
                "payments");
  for (const auto& payment : response.payments()) {
    switch (payment.status()) {
      case paymentspb::PAYMENT_STATUS_AUTHORIZED:
      case paymentspb::PAYMENT_STATUS_CAPTURED:
        return FromProto(payment);
      default:
        break;
    }
  }
  return std::nullopt;
}

domain::PaymentResult GrpcPayments::Void(const std::string& idempotency_key, const std::string& payment_id) {
  paymentspb::VoidRequest request;
  request.set_idempotency_key(idempotency_key);
  request.set_payment_id(payment_id);
  paymentspb::Payment payment;
  ThrowIfFailed(client_.Call("", &PaymentsStub::Void, request, &payment), "payments");
  return FromProto(payment);
}

domain::PaymentResult GrpcPayments::Refund(const std::string& idempotency_key, const std::string& payment_id,
                                           const std::optional<domain::Money>& amount, const std::string& reason) {
  paymentspb::RefundRequest request;
  request.set_idempotency_key(idempotency_key);
  request.set_payment_id(payment_id);
  if (amount) ToProto(*amount, request.mutable_amount());
  request.set_reason(reason);
  paymentspb::Payment payment;
  auto status = client_.Call("", &PaymentsStub::Refund, request, &payment);
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    // An amount beyond what is left to refund: payments names the field as the operator sent it
    // ("amount.amount_minor: must not exceed ..."), so pass its words on unchanged.
    const std::string& message = status.error_message();
    const auto colon = message.find(": ");
    if (message.rfind("amount", 0) == 0 && colon != std::string::npos) {
      throw InvalidArgument(message.substr(0, colon), message.substr(colon + 2));
    }
  }
  ThrowIfFailed(status, "payments");
  return FromProto(payment);
}

}  // namespace storefront::checkout::clients

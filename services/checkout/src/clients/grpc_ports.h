// The saga's ports implemented over gRPC: one adapter per service, each call through
// storefront::rpc::Client (a deadline from what is left of the caller's budget, the upstream's
// circuit breaker and bulkhead, gRPC's retries for the methods the contracts mark safe to repeat)
// with the order's request id. UNAVAILABLE, DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED (a refusal by
// the breaker or bulkhead included) become storefront::Unavailable, which the saga treats as
// "maybe"; other failures their domain error. Statuses of payments and
// shipments are decoded here into the domain's enums, so the saga never compares their names.
#pragma once

#include "domain/ports.h"
#include "shared/rpc/client.h"
#include "storefront/cart/v1/cart.grpc.pb.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"
#include "storefront/inventory/v1/inventory.grpc.pb.h"
#include "storefront/payments/v1/payments.grpc.pb.h"
#include "storefront/shipping/v1/shipping.grpc.pb.h"

namespace storefront::checkout::clients {

// Throws the domain error matching a failed status.
void ThrowIfFailed(const grpc::Status& status, const std::string& service);

// The other services' statuses as the domain compares them; UNSPECIFIED (and numbers this build
// does not know) is kNone.
domain::PaymentStatus PaymentStatusOf(storefront::payments::v1::PaymentStatus status);
domain::ShipmentStatus ShipmentStatusOf(storefront::shipping::v1::ShipmentStatus status);

class GrpcCart final : public domain::CartPort {
 public:
  explicit GrpcCart(rpc::Client<storefront::cart::v1::CartService>& client) : client_(client) {}
  domain::CartContents GetCart(const std::string& customer_id) override;

 private:
  rpc::Client<storefront::cart::v1::CartService>& client_;
};

class GrpcCatalog final : public domain::CatalogPort {
 public:
  explicit GrpcCatalog(rpc::Client<storefront::catalog::v1::CatalogService>& client) : client_(client) {}
  std::vector<domain::PricedProduct> BatchGet(const std::vector<std::string>& ids) override;

 private:
  rpc::Client<storefront::catalog::v1::CatalogService>& client_;
};

class GrpcShipping final : public domain::ShippingPort {
 public:
  explicit GrpcShipping(rpc::Client<storefront::shipping::v1::ShippingService>& client) : client_(client) {}
  std::vector<domain::ShippingQuote> Quote(const domain::Address& address, int item_count,
                                           const domain::Money& subtotal) override;
  domain::ShipmentResult CreateShipment(const domain::Order& order) override;
  void CancelShipment(const std::string& shipment_id, const std::string& reason) override;

 private:
  rpc::Client<storefront::shipping::v1::ShippingService>& client_;
};

class GrpcInventory final : public domain::InventoryPort {
 public:
  explicit GrpcInventory(rpc::Client<storefront::inventory::v1::InventoryService>& client) : client_(client) {}
  domain::ReserveResult Reserve(const std::string& order_id, const std::vector<domain::CartLine>& lines,
                                int ttl_seconds) override;
  void Release(const std::string& reservation_id, bool cancelled) override;
  void Commit(const std::string& reservation_id) override;

 private:
  rpc::Client<storefront::inventory::v1::InventoryService>& client_;
};

class GrpcPayments final : public domain::PaymentsPort {
 public:
  explicit GrpcPayments(rpc::Client<storefront::payments::v1::PaymentsService>& client) : client_(client) {}
  domain::PaymentResult Authorize(const std::string& idempotency_key, const domain::Order& order,
                                  const domain::Card& card) override;
  std::optional<domain::PaymentResult> FindAuthorized(const std::string& order_id) override;
  domain::PaymentResult Void(const std::string& idempotency_key, const std::string& payment_id) override;
  domain::PaymentResult Refund(const std::string& idempotency_key, const std::string& payment_id,
                               const std::optional<domain::Money>& amount, const std::string& reason) override;

 private:
  rpc::Client<storefront::payments::v1::PaymentsService>& client_;
};

}  // namespace storefront::checkout::clients

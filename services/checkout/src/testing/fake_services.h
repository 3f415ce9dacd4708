// In-process stand-ins for the five services checkout calls, for tests: the real generated
// service interfaces over a little state, each of which can also be made to fail or to hang.
// clients/grpc_ports_test.cpp runs the adapters against them; checkout_grpc_integration_test.cpp
// runs the whole service against them.
//
// They answer as the real services do for a well-behaved caller: the cart holds lines per
// customer, the catalog prices products, shipping quotes one "standard" option and creates a
// LABEL_CREATED shipment, inventory reserves unless told what is short, and payments authorizes
// every card except the one number that is declined (kDeclinedCard).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "shared/testing/fake_catalog.h"
#include "shared/testing/switchboard.h"
#include "storefront/cart/v1/cart.grpc.pb.h"
#include "storefront/catalog/v1/catalog.grpc.pb.h"
#include "storefront/inventory/v1/inventory.grpc.pb.h"
#include "storefront/payments/v1/payments.grpc.pb.h"
#include "storefront/shipping/v1/shipping.grpc.pb.h"

namespace storefront::checkout::testing {

namespace cartpb = ::storefront::cart::v1;
namespace catalogpb = ::storefront::catalog::v1;
namespace inventorypb = ::storefront::inventory::v1;
namespace paymentspb = ::storefront::payments::v1;
namespace shippingpb = ::storefront::shipping::v1;

// The card number the fake issuer declines with "card_declined".
inline constexpr const char* kDeclinedCard = "4000000000000002";

using ::storefront::testing::Switchboard;

class FakeCart final : public cartpb::CartService::Service, public Switchboard {
 public:
  void Put(const std::string& customer_id, const std::string& product_id, int quantity) {
    std::lock_guard lock(mutex_);
    auto* item = carts_[customer_id].add_items();
    item->set_product_id(product_id);
    item->set_quantity(quantity);
    carts_[customer_id].mutable_updated_at()->set_seconds(1'800'000'000 + carts_[customer_id].items_size());
  }

  grpc::Status GetCart(grpc::ServerContext* context, const cartpb::GetCartRequest* request,
                       cartpb::Cart* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    auto it = carts_.find(request->customer_id());
    if (it != carts_.end()) *response = it->second;
    response->set_customer_id(request->customer_id());
    return grpc::Status::OK;
  }

 private:
  std::map<std::string, cartpb::Cart> carts_;
};

using FakeCatalog = ::storefront::testing::FakeCatalogService;

class FakeShipping final : public shippingpb::ShippingService::Service, public Switchboard {
 public:
  FakeShipping() {
    auto& standard = options_.emplace_back();
    standard.set_id("standard");
    standard.set_carrier("Parcelline");
    standard.set_service("Standard");
    standard.mutable_price()->set_amount_minor(599);
    standard.mutable_price()->set_currency("USD");
    standard.set_estimated_days(5);
  }

  shippingpb::GetQuotesRequest last_quote_request() const {
    std::lock_guard lock(mutex_);
    return last_quote_request_;
  }
  std::vector<shippingpb::CreateShipmentRequest> created() const {
    std::lock_guard lock(mutex_);
    return created_;
  }
  std::vector<shippingpb::CancelShipmentRequest> cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

  grpc::Status GetQuotes(grpc::ServerContext* context, const shippingpb::GetQuotesRequest* request,
                         shippingpb::GetQuotesResponse* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    last_quote_request_ = *request;
    for (const auto& option : options_) *response->add_options() = option;
    return grpc::Status::OK;
  }

  grpc::Status CreateShipment(grpc::ServerContext* context, const shippingpb::CreateShipmentRequest* request,
                              shippingpb::Shipment* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    created_.push_back(*request);
    response->set_id("5a1b0000-0000-4000-8000-" + std::string(12 - std::to_string(created_.size()).size(), '0') +
                     std::to_string(created_.size()));
    response->set_order_id(request->order_id());
    response->set_customer_id(request->customer_id());
    response->set_tracking_number("PL" + std::to_string(100000000000 + created_.size()));
    response->set_carrier("Parcelline");
    response->set_service("Standard");
    response->set_shipping_option_id(request->shipping_option_id());
    response->set_status(shippingpb::SHIPMENT_STATUS_LABEL_CREATED);
    return grpc::Status::OK;
  }

  grpc::Status CancelShipment(grpc::ServerContext* context, const shippingpb::CancelShipmentRequest* request,
                              shippingpb::Shipment* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    cancelled_.push_back(*request);
    response->set_id(request->id());
    response->set_status(shippingpb::SHIPMENT_STATUS_CANCELLED);
    return grpc::Status::OK;
  }

 private:
  std::vector<shippingpb::ShippingOption> options_;
  shippingpb::GetQuotesRequest last_quote_request_;
  std::vector<shippingpb::CreateShipmentRequest> created_;
  std::vector<shippingpb::CancelShipmentRequest> cancelled_;
};

class FakeInventory final : public inventorypb::InventoryService::Service, public Switchboard {
 public:
  // The next ReserveStock answers that `product_id` has only `available` units.
  void ShortOf(const std::string& product_id, int available) {
    std::lock_guard lock(mutex_);
    short_[product_id] = available;
  }
  std::vector<inventorypb::ReserveStockRequest> reserved() const {
    std::lock_guard lock(mutex_);
    return reserved_;
  }
  std::vector<inventorypb::ReleaseReservationRequest> released() const {
    std::lock_guard lock(mutex_);
    return released_;
  }
  std::vector<inventorypb::CommitReservationRequest> committed() const {
    std::lock_guard lock(mutex_);
    return committed_;
  }
  // The id of the reservation ReserveStock made for `order_id`; empty if it made none.
  std::string reservation_of(const std::string& order_id) const {
    std::lock_guard lock(mutex_);
    auto it = reservations_.find(order_id);
    return it == reservations_.end() ? "" : it->second;
  }

  grpc::Status ReserveStock(grpc::ServerContext* context, const inventorypb::ReserveStockRequest* request,
                            inventorypb::ReserveStockResponse* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    reserved_.push_back(*request);
    for (const auto& line : request->lines()) {
      auto it = short_.find(line.product_id());
      if (it == short_.end() || it->second >= line.quantity()) continue;
      auto* shortage = response->mutable_insufficient_stock()->add_shortages();
      shortage->set_product_id(line.product_id());
      shortage->set_requested(line.quantity());
      shortage->set_available(it->second);
    }
    if (response->has_insufficient_stock()) return grpc::Status::OK;
    short_.clear();
    auto* reservation = response->mutable_reservation();
    reservation->set_id("7e5e0000-0000-4000-8000-" + std::string(12 - std::to_string(reserved_.size()).size(), '0') +
                        std::to_string(reserved_.size()));
    reservation->set_order_id(request->order_id());
    *reservation->mutable_lines() = request->lines();
    reservations_[request->order_id()] = reservation->id();
    return grpc::Status::OK;
  }

  grpc::Status ReleaseReservation(grpc::ServerContext* context, const inventorypb::ReleaseReservationRequest* request,
                                  inventorypb::Reservation* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    released_.push_back(*request);
    response->set_id(request->reservation_id());
    return grpc::Status::OK;
  }

  grpc::Status CommitReservation(grpc::ServerContext* context, const inventorypb::CommitReservationRequest* request,
                                 inventorypb::Reservation* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    committed_.push_back(*request);
    response->set_id(request->reservation_id());
    response->set_state(inventorypb::RESERVATION_STATE_COMMITTED);
    return grpc::Status::OK;
  }

 private:
  std::map<std::string, int> short_;
  std::vector<inventorypb::ReserveStockRequest> reserved_;
  std::vector<inventorypb::ReleaseReservationRequest> released_;
  std::vector<inventorypb::CommitReservationRequest> committed_;
  std::map<std::string, std::string> reservations_;  // order id -> reservation id
};

class FakePayments final : public paymentspb::PaymentsService::Service, public Switchboard {
 public:
  // The payment ListPayments answers for `order_id`, beside those Authorize made.
  void Put(const paymentspb::Payment& payment) {
    std::lock_guard lock(mutex_);
    payments_.push_back(payment);
  }
  std::vector<paymentspb::AuthorizeRequest> authorized() const {
    std::lock_guard lock(mutex_);
    return authorized_;
  }
  std::vector<paymentspb::VoidRequest> voided() const {
    std::lock_guard lock(mutex_);
    return voided_;
  }
  std::vector<paymentspb::RefundRequest> refunded() const {
    std::lock_guard lock(mutex_);
    return refunded_;
  }

  grpc::Status Authorize(grpc::ServerContext* context, const paymentspb::AuthorizeRequest* request,
                         paymentspb::Payment* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    authorized_.push_back(*request);
    paymentspb::Payment& payment = payments_.emplace_back();
    payment.set_id("9a7e0000-0000-4000-8000-" + std::string(12 - std::to_string(payments_.size()).size(), '0') +
                   std::to_string(payments_.size()));
    payment.set_order_id(request->order_id());
    payment.set_customer_id(request->customer_id());
    *payment.mutable_amount() = request->amount();
    payment.set_card_brand(paymentspb::CARD_BRAND_VISA);
    const std::string& number = request->card().number();
    payment.set_card_last4(number.size() >= 4 ? number.substr(number.size() - 4) : number);
    if (number == kDeclinedCard) {
      payment.set_status(paymentspb::PAYMENT_STATUS_DECLINED);
      payment.set_decline_code("card_declined");
    } else {
      payment.set_status(paymentspb::PAYMENT_STATUS_AUTHORIZED);
    }
    *response = payment;
    return grpc::Status::OK;
  }

  grpc::Status ListPayments(grpc::ServerContext* context, const paymentspb::ListPaymentsRequest* request,
                            paymentspb::ListPaymentsResponse* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    for (auto it = payments_.rbegin(); it != payments_.rend(); ++it) {  // newest first
      if (it->order_id() == request->order_id()) *response->add_payments() = *it;
    }
    return grpc::Status::OK;
  }

  grpc::Status Void(grpc::ServerContext* context, const paymentspb::VoidRequest* request,
                    paymentspb::Payment* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    voided_.push_back(*request);
    return Answer(request->payment_id(), paymentspb::PAYMENT_STATUS_VOIDED, response);
  }

  grpc::Status Refund(grpc::ServerContext* context, const paymentspb::RefundRequest* request,
                      paymentspb::Payment* response) override {
    std::unique_lock lock(mutex_);
    if (auto status = Enter(context, lock); !status.ok()) return status;
    refunded_.push_back(*request);
    return Answer(request->payment_id(),
                  request->has_amount() ? paymentspb::PAYMENT_STATUS_PARTIALLY_REFUNDED
                                        : paymentspb::PAYMENT_STATUS_REFUNDED,
                  response);
  }

 private:
  // The payment with `id` moved to `status`, as the answer.
  grpc::Status Answer(const std::string& id, paymentspb::PaymentStatus status, paymentspb::Payment* response) {
    for (auto& payment : payments_) {
      if (payment.id() != id) continue;
      payment.set_status(status);
      *response = payment;
      return grpc::Status::OK;
    }
    return {grpc::StatusCode::NOT_FOUND, "no payment " + id};
  }

  std::vector<paymentspb::Payment> payments_;
  std::vector<paymentspb::AuthorizeRequest> authorized_;
  std::vector<paymentspb::VoidRequest> voided_;
  std::vector<paymentspb::RefundRequest> refunded_;
};

}  // namespace storefront::checkout::testing

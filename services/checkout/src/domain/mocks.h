// Test doubles of every port in domain/ports.h, for unit tests: GoogleMock mocks of the other
// services and the read model's store, and an in-memory order store.
#pragma once

#include <gmock/gmock.h>

#include <map>

#include "domain/ports.h"

namespace storefront::checkout::domain {

class MockCart : public CartPort {
 public:
  MOCK_METHOD(CartContents, GetCart, (const std::string&), (override));
};

class MockCatalog : public CatalogPort {
 public:
  MOCK_METHOD(std::vector<PricedProduct>, BatchGet, (const std::vector<std::string>&), (override));
};

class MockShipping : public ShippingPort {
 public:
  MOCK_METHOD(std::vector<ShippingQuote>, Quote, (const Address&, int, const Money&), (override));
  MOCK_METHOD(ShipmentResult, CreateShipment, (const Order&), (override));
  MOCK_METHOD(void, CancelShipment, (const std::string&, const std::string&), (override));
};

class MockInventory : public InventoryPort {
 public:
  MOCK_METHOD(ReserveResult, Reserve, (const std::string&, const std::vector<CartLine>&, int), (override));
  MOCK_METHOD(void, Release, (const std::string&, bool), (override));
  MOCK_METHOD(void, Commit, (const std::string&), (override));
};

class MockPayments : public PaymentsPort {
 public:
  MOCK_METHOD(PaymentResult, Authorize, (const std::string&, const Order&, const Card&), (override));
  MOCK_METHOD(std::optional<PaymentResult>, FindAuthorized, (const std::string&), (override));
  MOCK_METHOD(PaymentResult, Void, (const std::string&, const std::string&), (override));
  MOCK_METHOD(PaymentResult, Refund,
              (const std::string&, const std::string&, const std::optional<Money>&, const std::string&), (override));
};

class MockOrderTrackingStore : public OrderTrackingStore {
 public:
  MOCK_METHOD(void, SetShipmentStatus, (const std::string&, ShipmentStatus), (override));
  MOCK_METHOD(void, SetPaymentStatus, (const std::string&, PaymentStatus), (override));
  MOCK_METHOD(bool, Advance, (const std::string&, const std::vector<OrderStatus>&, OrderStatus, const std::string&),
              (override));
};

// An in-memory order store that records every saved state, so tests can check that each step
// was written before the next remote call.
class InMemoryOrders : public OrderRepository {
 public:
  std::string Create(const Order& order, std::chrono::milliseconds) override {
    for (const auto& [id, o] : orders) {
      if (o.customer_id == order.customer_id && o.idempotency_key == order.idempotency_key) {
        throw AlreadyExists("duplicate key");
      }
    }
    std::string id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(next).size(), '0') +
                     std::to_string(next);
    ++next;
    Order saved = order;
    saved.id = id;
    saved.lease_token = kFirstLeaseToken;
    for (auto event : order.pending_events) published.emplace_back(id, event);
    saved.pending_events.clear();
    orders[id] = saved;
    leased[id] = true;
    history.push_back(saved);
    return id;
  }
  void Save(const Order& order, std::chrono::milliseconds) override {
    if (auto it = orders.find(order.id); it != orders.end()) {
      if (it->second.lease_token != order.lease_token) throw LeaseLost("stale lease token");
      if (!CanMove(it->second.status, order.status)) throw OrderMovedOn("the stored order moved on");
    }
    for (auto event : order.pending_events) published.emplace_back(order.id, event);
    orders[order.id] = order;
    orders[order.id].pending_events.clear();
    leased[order.id] = !IsTerminal(order.status);
    history.push_back(order);
  }
  std::optional<Order> BeginCancel(const std::string& id, const std::string& reason,
                                   std::chrono::milliseconds) override {
    auto it = orders.find(id);
    if (it == orders.end() || it->second.status != OrderStatus::kConfirmed) return std::nullopt;
    it->second.status = OrderStatus::kCancelling;
    it->second.cancel_reason = reason;
    it->second.timeline.push_back({OrderStatus::kCancelling, "Cancellation requested", it->second.updated_at});
    ++it->second.lease_token;
    leased[id] = true;
    history.push_back(it->second);
    return it->second;
  }
  void RecordRefund(const std::string& id, PaymentStatus payment_status, bool fully_refunded,
                    const std::string& note) override {
    Order& order = orders.at(id);
    order.payment_status = payment_status;
    if (fully_refunded && order.status != OrderStatus::kRefunded) {
      order.status = OrderStatus::kRefunded;
      order.timeline.push_back({OrderStatus::kRefunded, note, order.updated_at});
    }
    history.push_back(order);
  }
  std::optional<Order> Get(const std::string& id) override {
    auto it = orders.find(id);
    if (it == orders.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Order> FindByIdempotencyKey(const std::string& customer, const std::string& key) override {
    for (const auto& [id, o] : orders) {
      if (o.customer_id == customer && o.idempotency_key == key) return o;
    }
    return std::nullopt;
  }
  bool IsLeased(const std::string& id) override { return leased[id]; }
  std::optional<Order> ClaimStale(std::chrono::milliseconds) override {
    for (auto& [id, o] : orders) {
      if (!IsTerminal(o.status) && !leased[id]) {
        leased[id] = true;
        ++o.lease_token;
        return o;
      }
    }
    return std::nullopt;
  }
  OrderPage List(const OrderFilter& filter) override {
    last_filter = filter;
    OrderPage page;
    for (const auto& [id, o] : orders) page.orders.push_back(o);
    return page;
  }
  std::vector<SalesBucket> Sales(const SalesQuery& query) override {
    last_sales = query;
    return sales;
  }

  std::map<std::string, Order> orders;
  std::map<std::string, bool> leased;
  std::vector<Order> history;
  std::vector<std::pair<std::string, OrderEvent>> published;  // (order id, event), in save order
  std::optional<OrderFilter> last_filter;
  std::optional<SalesQuery> last_sales;
  std::vector<SalesBucket> sales;  // what Sales answers
  int next = 1;
};

}  // namespace storefront::checkout::domain

// Shipping's use cases. Depends only on its ports (domain/ports.h: the ShipmentRepository, a
// clock and a source of random digits), so it is unit tested with a mock and fixed time, and run
// in production over PostgreSQL (repo/pg_shipment_repository).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/order_closure.h"
#include "domain/page_token.h"
#include "domain/ports.h"
#include "domain/progression.h"
#include "domain/rate_table.h"
#include "domain/shipment.h"
#include "domain/status_machine.h"
#include "domain/tracking_number.h"

namespace storefront::shipping::domain {

struct QuoteRequest {
  std::optional<Address> address;  // nullopt when the request did not carry one
  int item_count = 0;
  std::optional<Money> subtotal;
};

struct NewShipmentRequest {
  std::string order_id;
  std::string customer_id;
  std::string shipping_option_id;
  std::optional<Address> address;
  std::vector<ShipmentItem> items;
};

struct ListRequest {
  ShipmentStatus status = ShipmentStatus::kUnspecified;
  int page_size = 0;  // 0 = default
  std::string page_token = {};
};

struct ListResult {
  std::vector<Shipment> shipments;
  std::string next_page_token;  // empty on the last page
};

// What an order event did to the order's shipment.
enum class OrderEventOutcome {
  kApplied,      // the shipment changed
  kUnchanged,    // it was already so (a redelivered event), or had nothing left to do
  kWithCarrier,  // EndOrder: the parcel was already dispatched, so it goes on
  kNoShipment,   // the order has no shipment
};

struct OrderEventResult {
  OrderEventOutcome outcome = OrderEventOutcome::kNoShipment;
  std::optional<Shipment> shipment;  // unless kNoShipment
  bool closed = false;               // EndOrder: this event closed the order (false: it had already ended)
};

class Shipping {
 public:
  Shipping(ShipmentRepository& repository, Clock clock, RandomDigits random_digits, ProgressionDelays delays = {})
      : repository_(repository), clock_(std::move(clock)), random_digits_(std::move(random_digits)), delays_(delays) {}

  // Pure: validates, then prices from the rate table. Unsupported currency is INVALID_ARGUMENT;
  // an address nothing ships to is an empty list.
  std::vector<ShippingOption> GetQuotes(const QuoteRequest& request);
  // Idempotent on order_id: a repeat returns the existing shipment; the same order with another
  // customer, option, address or items is AlreadyExists. An order without a shipment that has
  // already ended (EndOrder) is FailedPrecondition: nothing is created. Runs under the order's
  // lock (ShipmentRepository::WithOrderLock), so EndOrder cannot close the order between the
  // check and the commit: it either comes first and is seen, or waits and then sees the shipment.
  Shipment CreateShipment(const NewShipmentRequest& request);
  Shipment GetShipment(const std::string& id);
  Shipment GetShipmentByOrder(const std::string& order_id);
  ListResult ListShipments(const ListRequest& request);
  Shipment AdvanceShipment(const std::string& id, ShipmentStatus to);
  Shipment CancelShipment(const std::string& id, const std::string& reason);

  // OrderConfirmed: schedules the order's shipment to dispatch and then deliver by itself.
  OrderEventResult StartProgression(const std::string& order_id);
  // OrderFailed, OrderCancelled: the order has ended. Under the order's lock, records the
  // closure (the first one stays; `closed` says whether this call made it), so CreateShipment
  // refuses the order from now on, and cancels the order's shipment ("order failed: <reason>",
  // "order cancelled: <reason>") unless it is already with the carrier, in which case nothing
  // changes (kWithCarrier: a parcel cannot be recalled). `order_reason` is checkout's, if any.
  OrderEventResult EndOrder(const std::string& order_id, OrderEnding ending, const std::string& order_reason);
  // Takes every automatic step due at `now`, each in its own transaction with its event, at most
  // kMaxStepsPerPass of them; returns how many it took. The ticker calls it with the clock's time.
  int AdvanceDueShipments(Timestamp now);

  static constexpr int kMaxStepsPerPass = 100;

 private:
  // The clock, truncated to what PostgreSQL stores (microseconds), so a returned shipment
  // equals the one read back later.
  Timestamp Now() const;

  ShipmentRepository& repository_;
  Clock clock_;
  RandomDigits random_digits_;
  ProgressionDelays delays_;
};

}  // namespace storefront::shipping::domain

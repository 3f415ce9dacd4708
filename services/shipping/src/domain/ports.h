// Every interface shipping's domain needs from the outside, in one place: the repository
// (implemented over PostgreSQL in repo/, mocked in domain/mocks.h), the clock and the source of
// random digits for tracking numbers. Shipping calls no other service, so there are no client ports.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/order_closure.h"
#include "domain/page_token.h"
#include "domain/shipment.h"

namespace storefront::shipping::domain {

// Where "now" comes from; tests pass a clock they move by hand.
using Clock = types::Clock;

// Returns `count` random characters from '0'..'9' (tracking numbers, domain/tracking_number.h).
using RandomDigits = std::function<std::string(int count)>;

// What the repository is asked for: validated, with the page position decoded.
struct ShipmentQuery {
  ShipmentStatus status = ShipmentStatus::kUnspecified;  // UNSPECIFIED = every status
  int limit = kDefaultPageSize;
  std::optional<PageToken> after;
};

struct ShipmentPage {
  std::vector<Shipment> shipments;  // newest first
  // Position of the last row when more rows follow; nullopt on the last page.
  std::optional<PageToken> next;
};

class ShipmentRepository {
 public:
  enum class CreateOutcome {
    kCreated,             // `shipment` is the stored new shipment
    kOrderHasShipment,    // the order already had one; `shipment` is that one
    kTrackingNumberTaken  // nothing stored: draw another tracking number
  };
  struct CreateResult {
    CreateOutcome outcome;
    std::optional<Shipment> shipment;
  };
  // Called with the shipment and whether it changed anything; false leaves the row untouched.
  using Change = std::function<bool(Shipment&)>;
  // Work done under an order's lock, with a repository whose every call runs in the lock's
  // transaction.
  using OrderWork = std::function<void(ShipmentRepository& locked)>;

  virtual ~ShipmentRepository() = default;
  // Stores a new shipment (its id is assigned here) unless its order already has one.
  virtual CreateResult Create(const Shipment& shipment) = 0;
  virtual std::optional<Shipment> Get(const std::string& id) = 0;
  virtual std::optional<Shipment> GetByOrder(const std::string& order_id) = 0;
  virtual ShipmentPage List(const ShipmentQuery& query) = 0;
  // Reads the shipment, locked, runs `change` on it and saves it when `change` returns true,
  // all in one transaction; an exception from `change` rolls back. nullopt for an unknown id.
  // A change of status writes its event (EventForMove) in the same transaction.
  virtual std::optional<Shipment> Update(const std::string& id, const Change& change) = 0;
  // The same for the shipment of an order; nullopt when the order has none.
  virtual std::optional<Shipment> UpdateByOrder(const std::string& order_id, const Change& change) = 0;
  // The same for one shipment whose next_step_at is due at `now` and that no other transaction
  // holds (FOR UPDATE SKIP LOCKED: replicas never wait on each other); nullopt when none is left.
  virtual std::optional<Shipment> UpdateOneDue(Timestamp now, const Change& change) = 0;

  // The per-order serialisation point: runs `work` in one transaction that first takes the
  // order's lock and holds it until that transaction ends, so two callers of one order take
  // turns and the second sees what the first committed. `work` gets a repository bound to that
  // transaction; an exception from it rolls everything back. A repository already bound to a
  // caller's transaction (the event consumer's) takes the lock in it, held until the caller
  // commits, and runs `work` on itself.
  virtual void WithOrderLock(const std::string& order_id, const OrderWork& work) = 0;
  // Records that the order has ended; false, changing nothing, when it had already ended (the
  // first closure stays). Meant to be called under the order's lock.
  virtual bool RecordClosure(const OrderClosure& closure) = 0;
  // How the order ended; nullopt while it has not.
  virtual std::optional<OrderClosure> FindClosure(const std::string& order_id) = 0;
};

}  // namespace storefront::shipping::domain

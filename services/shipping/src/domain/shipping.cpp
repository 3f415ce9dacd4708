#include "domain/shipping.h"

#include <algorithm>
#include <stdexcept>

#include "shared/paging/page_size.h"
#include "shared/types/uuid.h"

namespace storefront::shipping::domain {
namespace {

// A tracking number collides once in 10^12 draws; a run of collisions means the random source
// is broken, and retrying forever would hide that.
constexpr int kMaxTrackingNumberAttempts = 5;

// Client text echoed in an error message: bounded and without control characters.
std::string Quoted(const std::string& text) {
  std::string out = text.substr(0, 40);
  for (auto& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = '?';
  }
  return "'" + out + (text.size() > 40 ? "...'" : "'");
}

void ValidateShipmentId(const std::string& id, Violations& violations) {
  if (!types::IsUuid(id)) violations.Add("id", "must be a shipment UUID");
}

std::vector<ShipmentItem> Sorted(std::vector<ShipmentItem> items) {
  std::sort(items.begin(), items.end(),
            [](const ShipmentItem& a, const ShipmentItem& b) { return a.product_id < b.product_id; });
  return items;
}

// What differs between the stored shipment of an order and a new request for the same order;
// empty when the request is a repeat of the one that created it.
std::string Difference(const Shipment& existing, const Shipment& requested) {
  std::vector<std::string> fields;
  if (existing.customer_id != requested.customer_id) fields.push_back("customer_id");
  if (existing.shipping_option_id != requested.shipping_option_id) fields.push_back("shipping_option_id");
  if (!(existing.address == requested.address)) fields.push_back("address");
  // Lines are compared as a set (product ids are unique per shipment): a retry that lists
  // them in another order is still the same request.
  if (Sorted(existing.items) != Sorted(requested.items)) fields.push_back("items");
  std::string text;
  for (const auto& field : fields) text += (text.empty() ? "" : ", ") + field;
  return text;
}

// Text from an event made to fit a reason column (500 characters, no control characters)
// without splitting a UTF-8 sequence.
std::string Fitted(std::string reason) {
  for (auto& c : reason) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  if (reason.size() > kMaxCancelReasonLength) {
    std::size_t cut = kMaxCancelReasonLength;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;  // continuation byte
    reason.resize(cut);
  }
  return reason;
}

// The reason a shipment cancelled because its order ended keeps: how it ended and checkout's reason.
std::string CancelReasonFor(OrderEnding ending, const std::string& order_reason) {
  const std::string what = ending == OrderEnding::kFailed ? "order failed" : "order cancelled";
  return Fitted(order_reason.empty() ? what : what + ": " + order_reason);
}

// The answer to a CreateShipment for an order that already has `existing`: the same shipment
// when the request repeats the one that created it, AlreadyExists when it asks for another.
Shipment Replay(const Shipment& existing, const Shipment& requested) {
  std::string difference = Difference(existing, requested);
  if (difference.empty()) return existing;  // a retry: same answer as the first call
  throw AlreadyExists("order " + requested.order_id + " already has shipment " + existing.id + " with a different " +
                      difference);
}

// The order id a use case is asked about (the event consumer has already checked its own).
void CheckOrderId(const std::string& order_id) {
  if (!types::IsUuid(order_id)) throw InvalidArgument("order_id", "must be the order's UUID");
}

}  // namespace

Timestamp Shipping::Now() const { return std::chrono::floor<std::chrono::microseconds>(clock_()); }

std::vector<ShippingOption> Shipping::GetQuotes(const QuoteRequest& request) {
  Violations violations;
  if (request.address) {
    Validate(*request.address, "address", violations);
  } else {
    violations.Add("address", "is required");
  }
  if (request.item_count < 1 || request.item_count > kMaxItemCount) {
    violations.Add("item_count", "must be between 1 and 999");
  }
  if (!request.subtotal) {
    violations.Add("subtotal", "is required");
  } else {
    if (!IsSupportedCurrency(request.subtotal->currency)) {
      violations.Add("subtotal.currency", "must be one of USD, EUR, GBP");
    }
    if (request.subtotal->amount_minor < 0 || request.subtotal->amount_minor > kMaxSubtotalMinor) {
      violations.Add("subtotal.amount_minor", "must be between 0 and 10000000000");
    }
  }
  violations.ThrowIfAny();
  return Quote(request.address->country, request.item_count, *request.subtotal);
}

Shipment Shipping::CreateShipment(const NewShipmentRequest& request) {
  Violations violations;
  if (!types::IsUuid(request.order_id)) violations.Add("order_id", "must be the order's UUID");
  ValidateCustomerId(request.customer_id, violations);
  if (request.address) {
    Validate(*request.address, "address", violations);
  } else {
    violations.Add("address", "is required");
  }
  Validate(request.items, violations);
  // The option is recomputed from the rate table for this address, never taken on trust.
  std::optional<CarrierService> service;
  if (request.shipping_option_id.empty()) {
    violations.Add("shipping_option_id", "is required");
  } else if (request.address && IsCountryCode(request.address->country)) {
    service = FindService(request.shipping_option_id, request.address->country);
    if (!service) {
      violations.Add("shipping_option_id", Quoted(request.shipping_option_id) + " is not offered for delivery to " +
                                               request.address->country + "; GetQuotes lists the options");
    }
  }
  violations.ThrowIfAny();

  Shipment shipment;
  shipment.order_id = request.order_id;
  shipment.customer_id = request.customer_id;
  shipment.carrier = service->carrier;
  shipment.service = service->service;
  shipment.shipping_option_id = service->option_id;
  shipment.status = ShipmentStatus::kLabelCreated;
  shipment.address = *request.address;
  shipment.items = request.items;
  shipment.created_at = shipment.updated_at = Now();

  // Under the order's lock, in this order: an existing shipment is the answer even once the order
  // has ended (checkout's retry of a call that did land), then a closed order gets nothing, then
  // the insert. EndOrder waits for the lock, so the closure cannot land between check and commit.
  std::optional<Shipment> result;
  repository_.WithOrderLock(request.order_id, [&](ShipmentRepository& locked) {
    result.reset();  // a transaction retried after a failed commit runs this again from scratch
    if (auto existing = locked.GetByOrder(request.order_id)) {
      result = Replay(*existing, shipment);
      return;
    }
    if (auto closure = locked.FindClosure(request.order_id)) {
      throw FailedPrecondition("order " + request.order_id + " has already ended (" +
                               std::string(Name(closure->ending)) + "); no shipment was created");
    }
    for (int attempt = 0; attempt < kMaxTrackingNumberAttempts && !result; ++attempt) {
      shipment.tracking_number = NewTrackingNumber(service->tracking_prefix, random_digits_);
      auto created = locked.Create(shipment);
      switch (created.outcome) {
        case ShipmentRepository::CreateOutcome::kCreated:
          result = std::move(created.shipment);
          break;
        case ShipmentRepository::CreateOutcome::kOrderHasShipment:
          result = Replay(*created.shipment, shipment);
          break;
        case ShipmentRepository::CreateOutcome::kTrackingNumberTaken:
          break;  // draw again
      }
    }
  });
  if (!result) {
    throw std::runtime_error("no unique tracking number after " + std::to_string(kMaxTrackingNumberAttempts) +
                             " attempts: the random source is broken");
  }
  return *result;
}

Shipment Shipping::GetShipment(const std::string& id) {
  Violations violations;
  ValidateShipmentId(id, violations);
  violations.ThrowIfAny();
  auto shipment = repository_.Get(id);
  if (!shipment) throw NotFound("no shipment with id " + id);
  return *shipment;
}

Shipment Shipping::GetShipmentByOrder(const std::string& order_id) {
  CheckOrderId(order_id);
  auto shipment = repository_.GetByOrder(order_id);
  if (!shipment) throw NotFound("no shipment for order " + order_id);
  return *shipment;
}

ListResult Shipping::ListShipments(const ListRequest& request) {
  Violations violations;
  ShipmentQuery query;
  query.status = request.status;
  if (request.status != ShipmentStatus::kUnspecified && !IsKnown(request.status)) {
    violations.Add("status", "must be a shipment status, or UNSPECIFIED for all");
  }
  query.limit = paging::PageSize(request.page_size, violations);
  if (!request.page_token.empty()) {
    query.after = DecodePageToken(request.page_token, request.status);
    if (!query.after) {
      violations.Add("page_token", "is not a token returned for this status filter; start again without one");
    }
  }
  violations.ThrowIfAny();

  ShipmentPage page = repository_.List(query);
  ListResult result;
  result.shipments = std::move(page.shipments);
  if (page.next) result.next_page_token = EncodePageToken(*page.next, request.status);
  return result;
}

Shipment Shipping::AdvanceShipment(const std::string& id, ShipmentStatus to) {
  Violations violations;
  ValidateShipmentId(id, violations);
  if (to == ShipmentStatus::kCancelled) {
    violations.Add("to_status", "CancelShipment cancels a shipment");
  } else if (!IsKnown(to)) {
    violations.Add("to_status", "must be DISPATCHED or DELIVERED");
  }
  violations.ThrowIfAny();
  const Timestamp now = Now();
  auto shipment = repository_.Update(id, [&](Shipment& s) { return Advance(s, to, now); });
  if (!shipment) throw NotFound("no shipment with id " + id);
  return *shipment;
}

Shipment Shipping::CancelShipment(const std::string& id, const std::string& reason) {
  Violations violations;
  ValidateShipmentId(id, violations);
  bool clean = std::none_of(reason.begin(), reason.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n') || u == 0x7f;
  });
  bool blank = reason.find_first_not_of(" \n") == std::string::npos;
  if (blank || reason.size() > kMaxCancelReasonLength || !clean) {
    violations.Add("reason", "is required: 1 to 500 characters without control characters");
  }
  violations.ThrowIfAny();
  const Timestamp now = Now();
  auto shipment = repository_.Update(id, [&](Shipment& s) { return Cancel(s, reason, now); });
  if (!shipment) throw NotFound("no shipment with id " + id);
  return *shipment;
}

OrderEventResult Shipping::StartProgression(const std::string& order_id) {
  CheckOrderId(order_id);
  const Timestamp now = Now();
  bool scheduled = false;
  auto shipment = repository_.UpdateByOrder(order_id, [&](Shipment& s) {
    scheduled = ScheduleProgression(s, now, delays_);
    return scheduled;
  });
  if (!shipment) return {OrderEventOutcome::kNoShipment, std::nullopt};
  return {scheduled ? OrderEventOutcome::kApplied : OrderEventOutcome::kUnchanged, std::move(shipment)};
}

OrderEventResult Shipping::EndOrder(const std::string& order_id, OrderEnding ending, const std::string& order_reason) {
  CheckOrderId(order_id);
  const Timestamp now = Now();
  const OrderClosure closure{order_id, ending, Fitted(order_reason), now};
  const std::string cancel_reason = CancelReasonFor(ending, order_reason);
  OrderEventResult result;
  // The closure and the cancel under the lock CreateShipment takes: a CreateShipment that got
  // the lock first has committed its shipment, which is cancelled here; one that waits for it
  // sees the closure and creates nothing.
  repository_.WithOrderLock(order_id, [&](ShipmentRepository& locked) {
    const bool closed = locked.RecordClosure(closure);
    OrderEventOutcome outcome = OrderEventOutcome::kUnchanged;
    auto shipment = locked.UpdateByOrder(order_id, [&](Shipment& s) {
      if (s.status == ShipmentStatus::kDispatched || s.status == ShipmentStatus::kDelivered) {
        outcome = OrderEventOutcome::kWithCarrier;  // decided here, under the row lock, not before it
        return false;
      }
      outcome = Cancel(s, cancel_reason, now) ? OrderEventOutcome::kApplied : OrderEventOutcome::kUnchanged;
      return outcome == OrderEventOutcome::kApplied;
    });
    if (!shipment) outcome = OrderEventOutcome::kNoShipment;
    result = {outcome, std::move(shipment), closed};
  });
  return result;
}

int Shipping::AdvanceDueShipments(Timestamp now) {
  now = std::chrono::floor<std::chrono::microseconds>(now);
  int taken = 0;
  while (taken < kMaxStepsPerPass &&
         repository_.UpdateOneDue(now, [&](Shipment& s) { return TakeDueStep(s, now, delays_); })) {
    ++taken;
  }
  return taken;
}

}  // namespace storefront::shipping::domain

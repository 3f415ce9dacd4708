#include "domain/checkout.h"

#include <algorithm>
#include <functional>
#include <map>

#include "domain/page_token.h"
#include "shared/paging/page_size.h"
#include "shared/types/address.h"
#include "shared/types/digest.h"
#include "shared/types/text.h"
#include "shared/types/uuid.h"

namespace storefront::checkout::domain {
namespace {

constexpr std::size_t kMaxKeyLength = 128;

bool IsPrintable(std::string_view text) { return !types::HasControlCharacters(text); }

bool IsEmail(const std::string& email) {
  auto at = email.find('@');
  return email.size() <= 254 && at != std::string::npos && at > 0 && email.find('@', at + 1) == std::string::npos &&
         email.find('.', at) != std::string::npos && email.back() != '.' && email.find(' ') == std::string::npos &&
         IsPrintable(email);
}

// The payments idempotency key of an operator's refund. Derived from the operator's key alone
// (not the order): payments binds a key to the payment and amount it was first used with, so the
// same key sent again for another order or amount is ALREADY_EXISTS rather than a second refund.
// Hashed, because the operator's key may be up to 128 characters and payments takes 100.
std::string RefundKey(const std::string& operator_key) {
  return "checkout:refund:" + types::Blake2bHex(operator_key, 16);
}

}  // namespace

void ValidatePlaceOrder(const PlaceOrderCommand& c, Violations& v) {
  if (c.idempotency_key.empty() || c.idempotency_key.size() > kMaxKeyLength || !IsPrintable(c.idempotency_key)) {
    v.Add("idempotency_key", "is required, 1 to 128 printable characters");
  }
  types::ValidateCustomerId(c.customer_id, v);
  if (!IsEmail(c.customer_email)) v.Add("customer_email", "must be an email address");
  // Shipping's rule, applied before any stock is held or any card is authorised.
  types::Validate(c.shipping_address, "shipping_address", v);
  types::RequiredText(c.shipping_option_id, 64, "shipping_option_id", v);
  // The card itself is validated by payments; checkout only checks its shape.
  std::string digits;
  bool clean = true;
  for (char ch : c.card.number) {
    if (ch >= '0' && ch <= '9') digits.push_back(ch);
    else if (ch != ' ' && ch != '-') clean = false;
  }
  if (!clean || digits.size() < 12 || digits.size() > 19) v.Add("payment.card_number", "must be 12 to 19 digits");
  if (c.card.exp_month < 1 || c.card.exp_month > 12) v.Add("payment.exp_month", "must be 1 to 12");
  if (c.card.exp_year < 2000 || c.card.exp_year > 2100) v.Add("payment.exp_year", "must be a four-digit year");
  bool cvc = (c.card.cvc.size() == 3 || c.card.cvc.size() == 4) &&
             std::all_of(c.card.cvc.begin(), c.card.cvc.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!cvc) v.Add("payment.cvc", "must be 3 or 4 digits");
}

Checkout::Checkout(OrderRepository& orders, CartPort& cart, CatalogPort& catalog, ShippingPort& shipping,
                   InventoryPort& inventory, PaymentsPort& payments, SagaSettings settings, Clock clock,
                   SagaObserver* observer)
    : orders_(orders),
      cart_(cart),
      catalog_(catalog),
      shipping_(shipping),
      inventory_(inventory),
      payments_(payments),
      settings_(settings),
      clock_(std::move(clock)),
      observer_(observer) {}

std::string Checkout::Fingerprint(const PlaceOrderCommand& c) {
  const Address& a = c.shipping_address;
  std::string material;
  for (const std::string* part : {&c.customer_id, &c.customer_email, &a.name, &a.line1, &a.line2, &a.city, &a.region,
                                  &a.postal_code, &a.country, &c.shipping_option_id}) {
    material += *part;
    material.push_back('\0');
  }
  // Only what identifies the card to a person; never the number itself.
  material += c.card.Last4() + '\0' + std::to_string(c.card.exp_month) + '/' + std::to_string(c.card.exp_year);
  if (c.expected_total) material += '\0' + std::to_string(c.expected_total->amount_minor) + c.expected_total->currency;
  return types::Blake2bHex(material, 32);
}

Order Checkout::Replay(const Order& existing, const std::string& fingerprint) {
  if (existing.request_fingerprint != fingerprint) {
    throw AlreadyExists("this Idempotency-Key was already used for a different checkout request");
  }
  if (!IsTerminal(existing.status) && orders_.IsLeased(existing.id)) {
    throw Aborted("an order with this Idempotency-Key is still being processed");
  }
  return existing;
}

Order Checkout::PlaceOrder(const PlaceOrderCommand& command) {
  Violations violations;
  ValidatePlaceOrder(command, violations);
  violations.ThrowIfAny();
  const std::string fingerprint = Fingerprint(command);
  if (auto existing = orders_.FindByIdempotencyKey(command.customer_id, command.idempotency_key)) {
    return Replay(*existing, fingerprint);
  }

  Order order;
  order.customer_id = command.customer_id;
  order.customer_email = command.customer_email;
  order.idempotency_key = command.idempotency_key;
  order.request_fingerprint = fingerprint;
  order.shipping_address = command.shipping_address;
  order.shipping_option_id = command.shipping_option_id;
  order.card_last4 = command.card.Last4();
  order.traceparent = command.traceparent;
  const Timestamp now = clock_();
  order.created_at = order.updated_at = now;

  // Reads first: nothing is held yet, so a failure here is a plain error for the shopper.
  CartContents cart = cart_.GetCart(command.customer_id);
  const std::vector<CartLine>& lines = cart.lines;
  if (lines.empty()) throw FailedPrecondition("the cart is empty");
  order.cart_version = cart.version;
  order.steps.push_back({kStepLoadCart, StepState::kSucceeded, std::to_string(lines.size()) + " lines", now});

  std::vector<std::string> ids;
  for (const auto& line : lines) ids.push_back(line.product_id);
  std::map<std::string, PricedProduct> products;
  for (auto& product : catalog_.BatchGet(ids)) products[product.id] = std::move(product);
  std::string currency;
  for (const auto& line : lines) {
    auto it = products.find(line.product_id);
    if (it == products.end() || !it->second.active) {
      throw FailedPrecondition("product " + line.product_id + " is no longer sold; remove it from the cart");
    }
    const PricedProduct& product = it->second;
    if (currency.empty()) currency = product.price.currency;
    if (product.price.currency != currency) throw FailedPrecondition("the cart mixes currencies");
    OrderItem item{product.id, product.sku, product.name, line.quantity, product.price,
                   {product.price.amount_minor * line.quantity, currency}};
    order.subtotal.amount_minor += item.line_total.amount_minor;
    order.items.push_back(std::move(item));
  }
  order.subtotal.currency = currency;
  order.steps.push_back({kStepPrice, StepState::kSucceeded, "subtotal " + types::FormatMoney(order.subtotal), now});

  std::optional<ShippingQuote> chosen;
  for (auto& quote : shipping_.Quote(order.shipping_address, order.ItemCount(), order.subtotal)) {
    if (quote.id == command.shipping_option_id) chosen = std::move(quote);
  }
  if (!chosen) throw InvalidArgument("shipping_option_id", "is not offered for this address; ask for quotes again");
  if (chosen->price.currency != currency) throw FailedPrecondition("shipping is quoted in another currency");
  order.shipping_price = chosen->price;
  order.carrier = chosen->carrier;
  order.total = {order.subtotal.amount_minor + order.shipping_price.amount_minor, currency};
  order.steps.push_back({kStepQuote, StepState::kSucceeded, chosen->carrier + " " + chosen->service + ", " +
                                                                 types::FormatMoney(order.shipping_price), now});
  if (command.expected_total && !(*command.expected_total == order.total)) {
    throw TotalChanged(order.total);
  }

  order.timeline.push_back({OrderStatus::kPending, "Order placed", now});
  order.pending_events.push_back(OrderEvent::kPlaced);
  // The first call's intent is on record with the order itself: one transaction fewer.
  order.steps.push_back({kStepReserve, StepState::kPending, "", now});
  try {
    order.id = orders_.Create(order, settings_.lease);
    order.lease_token = kFirstLeaseToken;
    order.pending_events.clear();
  } catch (const AlreadyExists&) {
    // A concurrent request with the same key won the race.
    auto existing = orders_.FindByIdempotencyKey(command.customer_id, command.idempotency_key);
    if (!existing) throw;
    return Replay(*existing, fingerprint);
  }
  Drive(order, &command.card);
  return order;
}

namespace {

// What the stage a saga runs next does, for the figures: the status it starts from names it.
std::string_view StageOf(const Order& order) {
  if (order.failure != Failure::kNone) return "compensate";
  switch (order.status) {
    case OrderStatus::kPending: return "reserve_inventory";
    case OrderStatus::kReserved: return "authorize_payment";
    case OrderStatus::kPaymentAuthorized: return "ship_and_confirm";
    case OrderStatus::kCancelling: return "cancel";
    default: return "other";
  }
}

// Reports one stage to the observer when it ends, however it ends: advanced (the status moved
// on), failed (the order now fails), or waiting (neither: a dependency is away, or the store).
class StageReport {
 public:
  StageReport(SagaObserver* observer, const Order& order)
      : observer_(observer),
        order_(order),
        stage_(StageOf(order)),
        status_(order.status),
        failed_before_(order.failure != Failure::kNone),
        started_(std::chrono::steady_clock::now()) {}
  ~StageReport() {
    if (observer_ == nullptr) return;
    std::string_view result = "waiting";
    if (!failed_before_ && order_.failure != Failure::kNone) result = "failed";
    else if (order_.status != status_) result = "advanced";
    observer_->StageRan(stage_, result, std::chrono::steady_clock::now() - started_);
  }

 private:
  SagaObserver* observer_;
  const Order& order_;
  std::string_view stage_;
  OrderStatus status_;
  bool failed_before_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

void Checkout::Drive(Order& order, const Card* card) {
  try {
    while (!IsTerminal(order.status)) {
      StageReport report(observer_, order);
      if (order.failure != Failure::kNone) {
        if (!Compensate(order)) return Record(order);
        continue;
      }
      const OrderStatus before = order.status;
      try {
        switch (order.status) {
          case OrderStatus::kPending: Reserve(order); break;
          case OrderStatus::kReserved: Authorize(order, card); break;
          case OrderStatus::kPaymentAuthorized: ShipAndConfirm(order); break;
          case OrderStatus::kCancelling:
            if (!CarryOutCancel(order)) return Record(order);  // a dependency is away: recovery goes on later
            break;
          default: return;
        }
      } catch (const Unavailable&) {
        throw;  // the order store itself: handled below
      } catch (const DomainError& e) {
        // A dependency refused the step in a way no retry changes (a bug, a contract broken):
        // compensate now rather than leave the order leased for recovery to fail the same way.
        Fail(order, Failure::kInterrupted, std::string("checkout could not complete the order: ") + e.what());
        continue;
      }
      // A step that neither advanced nor failed is waiting for a dependency: let the lease run
      // out so recovery tries again later.
      if (order.status == before && order.failure == Failure::kNone) return Record(order);
    }
    // The save that ended the saga gave the lease back (OrderRepository::Save).
  } catch (const Unavailable&) {
    // The order store itself is unreachable: recovery resumes from the last saved step.
  } catch (const LeaseLost&) {
    // This runner stalled past its lease and recovery took the order over: it drives it now.
  } catch (const OrderMovedOn&) {
    // An event moved the order on meanwhile (the parcel left during a cancel): nothing to drive.
  }
}

void Checkout::Reserve(Order& order) {
  if (const SagaStep* step = order.Step(kStepReserve); step == nullptr || step->state != StepState::kPending) {
    SetStep(order, kStepReserve, StepState::kPending, "");
  }
  std::vector<CartLine> lines;
  for (const auto& item : order.items) lines.push_back({item.product_id, item.quantity});
  ReserveResult result;
  try {
    result = inventory_.Reserve(order.id, lines, settings_.reservation_ttl_seconds);
  } catch (const Unavailable& e) {
    // Maybe reserved: the OrderFailed event makes inventory release whatever it holds for the
    // order, and a hold that commits later still runs out at its TTL.
    SetStep(order, kStepReserve, StepState::kFailed, std::string("outcome unknown: ") + e.what());
    return Fail(order, Failure::kDependencyUnavailable, "inventory did not answer; nothing was charged");
  } catch (const FailedPrecondition& e) {
    SetStep(order, kStepReserve, StepState::kFailed, e.what());
    return Fail(order, Failure::kOutOfStock, "the stock held for this order was released; nothing was charged");
  }
  if (!result.shortages.empty()) {
    std::string detail;
    for (const auto& s : result.shortages) {
      for (const auto& item : order.items) {
        if (item.product_id != s.product_id) continue;
        detail += (detail.empty() ? "" : "; ") + item.name + ": " + std::to_string(s.available) + " left, " +
                  std::to_string(s.requested) + " wanted";
      }
    }
    SetStep(order, kStepReserve, StepState::kFailed, detail);
    return Fail(order, Failure::kOutOfStock, "not enough stock: " + detail);
  }
  order.reservation_id = result.reservation_id;
  SetStep(order, kStepReserve, StepState::kSucceeded, "reservation " + result.reservation_id);
  SetStatus(order, OrderStatus::kReserved, "Stock reserved");
}

void Checkout::Authorize(Order& order, const Card* card) {
  std::optional<PaymentResult> result;
  if (card != nullptr) {
    SetStep(order, kStepAuthorize, StepState::kPending, "");
    try {
      result = payments_.Authorize("checkout:" + order.id + ":authorize", order, *card);
    } catch (const Unavailable& e) {
      // Maybe authorized: the call may still complete after the deadline. Payments voids any
      // authorization of an order it has seen fail (OrderFailed), and refuses one that arrives
      // after that, so the hold is released either way.
      SetStep(order, kStepAuthorize, StepState::kFailed, std::string("outcome unknown: ") + e.what());
      return Fail(order, Failure::kDependencyUnavailable,
                  "the payment could not be confirmed; any hold on the card is released");
    }
  } else {
    // Resumed after a crash: the card is gone (never stored). Did the authorization happen?
    try {
      result = payments_.FindAuthorized(order.id);
    } catch (const Unavailable&) {
      return;  // ask again later
    }
    if (!result) {
      SetStep(order, kStepAuthorize, StepState::kFailed, "interrupted before the payment was authorized");
      return Fail(order, Failure::kInterrupted, "checkout was interrupted before the payment went through");
    }
  }
  order.payment_id = result->payment_id;
  order.payment_status = result->status;
  if (!result->card_brand.empty()) order.card_brand = result->card_brand;
  if (!result->card_last4.empty()) order.card_last4 = result->card_last4;
  if (result->status != PaymentStatus::kAuthorized) {
    std::string code = result->decline_code.empty() ? ToString(result->status) : result->decline_code;
    SetStep(order, kStepAuthorize, StepState::kFailed, "declined: " + code);
    return Fail(order, Failure::kPaymentDeclined, "the card was declined (" + code + ")");
  }
  SetStep(order, kStepAuthorize, StepState::kSucceeded, "payment " + result->payment_id);
  SetStatus(order, OrderStatus::kPaymentAuthorized, "Payment authorized");
}

void Checkout::ShipAndConfirm(Order& order) {
  const SagaStep* shipment_step = order.Step(kStepShipment);
  if (shipment_step == nullptr || shipment_step->state != StepState::kSucceeded) {
    SetStep(order, kStepShipment, StepState::kPending, "");
    try {
      ShipmentResult shipment = shipping_.CreateShipment(order);
      order.shipment_id = shipment.shipment_id;
      order.carrier = shipment.carrier;
      order.tracking_number = shipment.tracking_number;
      order.shipment_status = shipment.status;
      SetStep(order, kStepShipment, StepState::kSucceeded, shipment.carrier + " " + shipment.tracking_number);
    } catch (const Unavailable& e) {
      // Maybe created: shipping cancels the shipment of an order it has seen fail (OrderFailed),
      // and refuses to create one after that.
      SetStep(order, kStepShipment, StepState::kFailed, std::string("outcome unknown: ") + e.what());
      return Fail(order, Failure::kDependencyUnavailable, "shipping is unavailable; the payment was voided");
    } catch (const DomainError& e) {
      SetStep(order, kStepShipment, StepState::kFailed, e.what());
      return Fail(order, Failure::kShippingFailed, std::string("the shipment could not be created: ") + e.what());
    }
  }

  // The hold becomes a sale before the order is confirmed, not after: a hold that ran out while
  // the saga was slow (or down) may already be sold to someone else, and then the order fails
  // and is compensated instead of being confirmed on stock it does not have.
  const SagaStep* commit_step = order.Step(kStepCommitStock);
  if (commit_step == nullptr || commit_step->state != StepState::kSucceeded) {
    SetStep(order, kStepCommitStock, StepState::kPending, "");
    try {
      inventory_.Commit(order.reservation_id);
    } catch (const Unavailable&) {
      return;  // maybe committed: committing again is safe, so recovery asks again
    } catch (const FailedPrecondition& e) {
      SetStep(order, kStepCommitStock, StepState::kFailed, e.what());
      return Fail(order, Failure::kOutOfStock, "the stock held for this order ran out before it was confirmed");
    }
    SetStep(order, kStepCommitStock, StepState::kSucceeded, "reservation " + order.reservation_id + " committed");
  }

  // Confirming is a local decision; the other services react to the OrderConfirmed event the
  // same transaction publishes: cart drops the ordered lines, shipping schedules the dispatch.
  SetStep(order, kStepConfirm, StepState::kSucceeded, "OrderConfirmed published");
  SetStatus(order, OrderStatus::kConfirmed, "Order confirmed");
}

bool Checkout::Compensate(Order& order) {
  // Each undo runs once its step succeeded. A dependency that is away stops here and recovery
  // retries the rest; one that refuses the undo for good (the parcel left, the payment was
  // captured) is recorded on the step and the rest goes on: the OrderFailed event this ends with
  // makes payments refund what it captured for the order and shipping report what it shipped.
  auto undo = [&](const char* name, const std::function<std::string()>& action) {
    SagaStep* step = order.Step(name);
    if (step == nullptr || step->state != StepState::kSucceeded) return;
    try {
      SetStep(order, name, StepState::kCompensated, action());
    } catch (const Unavailable&) {
      throw;
    } catch (const DomainError& e) {
      SetStep(order, name, StepState::kFailed, std::string("could not be undone: ") + e.what());
    }
    Record(order);  // each undo is on record before the next one runs
  };
  try {
    undo(kStepShipment, [&] {
      shipping_.CancelShipment(order.shipment_id, "checkout failed: " + order.failure_reason);
      order.shipment_status = ShipmentStatus::kCancelled;
      return std::string("shipment cancelled");
    });
    undo(kStepAuthorize, [&] {
      order.payment_status = payments_.Void("checkout:" + order.id + ":void", order.payment_id).status;
      return std::string("authorization voided");
    });
    undo(kStepReserve, [&] {
      inventory_.Release(order.reservation_id, /*cancelled=*/false);
      return std::string("stock released");
    });
  } catch (const Unavailable&) {
    return false;  // recovery retries the remaining compensations
  }
  SetStatus(order, OrderStatus::kFailed, order.failure_reason);
  return true;
}

void Checkout::Fail(Order& order, Failure failure, std::string reason) {
  order.failure = failure;
  order.failure_reason = std::move(reason);
  Record(order);
}

void Checkout::Record(Order& order) {
  orders_.Save(order, settings_.lease);
  order.pending_events.clear();
}

void Checkout::SetStep(Order& order, const std::string& name, StepState state, std::string detail) {
  const Timestamp now = clock_();
  if (SagaStep* step = order.Step(name)) {
    step->state = state;
    step->detail = std::move(detail);
    step->at = now;
  } else {
    order.steps.push_back({name, state, std::move(detail), now});
  }
  order.updated_at = now;
  if (state == StepState::kPending) Record(order);  // on record before its call
}

void Checkout::SetStatus(Order& order, OrderStatus status, std::string note) {
  const Timestamp now = clock_();
  order.status = status;
  order.timeline.push_back({status, std::move(note), now});
  order.updated_at = now;
  switch (status) {
    case OrderStatus::kConfirmed: order.pending_events.push_back(OrderEvent::kConfirmed); break;
    case OrderStatus::kFailed: order.pending_events.push_back(OrderEvent::kFailed); break;
    case OrderStatus::kCancelled: order.pending_events.push_back(OrderEvent::kCancelled); break;
    default: return;  // saved with the next step, before its call
  }
  Record(order);  // the end, and the event that announces it, in one transaction
  if (observer_ != nullptr) observer_->Ended(status, order.failure);
}

Order Checkout::GetOrder(const std::string& order_id, const std::string& customer_id) {
  auto order = orders_.Get(order_id);
  // Another shopper's order is indistinguishable from one that does not exist.
  if (!order || (!customer_id.empty() && order->customer_id != customer_id)) {
    throw NotFound("no order " + order_id.substr(0, 64));
  }
  return *order;
}

OrderListResult Checkout::ListOrders(const OrderListRequest& request) {
  OrderFilter filter = request.filter;
  Violations violations;
  filter.limit = paging::PageSize(filter.limit, violations);
  if (!request.page_token.empty()) {
    filter.after = DecodePageToken(request.page_token);
    if (!filter.after) violations.Add("page_token", "is not a cursor returned by this list");
  }
  violations.ThrowIfAny();
  if (filter.created_after && filter.created_before && *filter.created_before <= *filter.created_after) {
    throw InvalidArgument("created_before", "must be later than created_after");
  }
  OrderPage page = orders_.List(filter);
  OrderListResult result;
  result.orders = std::move(page.orders);
  if (page.more && !result.orders.empty()) {
    const Order& last = result.orders.back();
    result.next_page_token = EncodePageToken({last.created_at, last.id});
  }
  return result;
}

Order Checkout::CancelOrder(const std::string& order_id, const std::string& customer_id, const std::string& reason) {
  if (reason.size() > 500) throw InvalidArgument("reason", "must be at most 500 characters");
  Order order = GetOrder(order_id, customer_id);
  if (order.status == OrderStatus::kCancelled || order.status == OrderStatus::kCancelling) {
    return order;  // a retry, or a second cancel while the first runs: one cancel, one OrderCancelled
  }
  if (order.status != OrderStatus::kConfirmed) {
    throw FailedPrecondition(std::string("an order that is ") + ToString(order.status) + " cannot be cancelled");
  }
  // The cancel is recorded (CANCELLING, with the lease) before any call: should this process
  // die half-way, recovery carries it out from the last saved step.
  auto cancelling = orders_.BeginCancel(order.id, reason, settings_.lease);
  if (!cancelling) return CancelOrder(order_id, customer_id, reason);  // it moved meanwhile: look again
  Drive(*cancelling, nullptr);
  return GetOrder(order_id, customer_id);
}

bool Checkout::CarryOutCancel(Order& order) {
  const std::string note = order.cancel_reason.empty() ? "order cancelled" : order.cancel_reason;
  // A step refused for good is recorded and the cancel goes on: the OrderCancelled it ends with
  // makes payments and inventory release whatever the order still holds. A step left PENDING (the
  // process died during its call) runs again; each call is safe to repeat.
  auto run = [&](const char* name, const std::function<std::string()>& action) {
    if (const SagaStep* step = order.Step(name); step != nullptr && step->state != StepState::kPending) {
      // Done, or refused for good; but a shipment cancel refused by an earlier, turned-down
      // cancel is asked again.
      if (std::string_view(name) != kStepCancelShipment || step->state == StepState::kSucceeded) return;
    }
    SetStep(order, name, StepState::kPending, "");
    try {
      SetStep(order, name, StepState::kSucceeded, action());
    } catch (const Unavailable&) {
      throw;
    } catch (const DomainError& e) {
      if (std::string_view(name) == kStepCancelShipment && dynamic_cast<const FailedPrecondition*>(&e)) {
        throw;  // the parcel has left: see below
      }
      SetStep(order, name, StepState::kFailed, std::string("could not be done: ") + e.what());
    }
  };
  try {
    // The shipment first: once shipping cancelled it, the parcel can no longer leave, so the
    // money and the stock can be given back. Refused, the parcel has left: the cancel is off.
    try {
      run(kStepCancelShipment, [&] {
        if (order.shipment_id.empty()) return std::string("no shipment");
        shipping_.CancelShipment(order.shipment_id, note);
        order.shipment_status = ShipmentStatus::kCancelled;
        return std::string("shipment cancelled");
      });
    } catch (const FailedPrecondition& e) {
      SetStep(order, kStepCancelShipment, StepState::kFailed, e.what());
      order.status = OrderStatus::kConfirmed;
      order.timeline.push_back({OrderStatus::kConfirmed, "Cancellation refused: the parcel has left", clock_()});
      Record(order);
      return true;
    }
    run(kStepReleasePayment, [&] {
      if (order.payment_id.empty()) return std::string("no payment");
      try {
        order.payment_status = payments_.Void("checkout:" + order.id + ":cancel", order.payment_id).status;
        return std::string("authorization voided");
      } catch (const FailedPrecondition&) {
        // Captured already (or voided by payments reacting first): give back what was taken.
        order.payment_status =
            payments_.Refund("checkout:" + order.id + ":cancel-refund", order.payment_id, std::nullopt, note).status;
        return std::string("payment refunded");
      }
    });
    run(kStepReleaseStock, [&] {
      if (order.reservation_id.empty()) return std::string("no reservation");
      inventory_.Release(order.reservation_id, /*cancelled=*/true);
      return std::string("stock put back");
    });
  } catch (const Unavailable&) {
    return false;
  }
  SetStatus(order, OrderStatus::kCancelled,
            order.cancel_reason.empty() ? "Order cancelled" : "Order cancelled: " + order.cancel_reason);
  return true;
}

Order Checkout::RefundOrder(const RefundCommand& command) {
  Violations violations;
  if (command.idempotency_key.empty() || command.idempotency_key.size() > kMaxKeyLength ||
      !IsPrintable(command.idempotency_key)) {
    violations.Add("idempotency_key", "is required, 1 to 128 printable characters");
  }
  if (!types::IsUuid(command.order_id)) violations.Add("order_id", "must be an order id (UUID)");
  if (command.amount) {
    if (command.amount->amount_minor <= 0) violations.Add("amount.amount_minor", "must be greater than 0");
    if (!types::IsCurrency(command.amount->currency)) {
      violations.Add("amount.currency", "must be an ISO 4217 code such as USD");
    }
  }
  types::OptionalText(command.reason, 500, "reason", violations);
  violations.ThrowIfAny();

  Order order = GetOrder(command.order_id, "");
  // The read model follows payments' events; REFUNDED stays allowed so that a retried full
  // refund reaches payments, which replays its first answer for the same key.
  const PaymentStatus payment = order.payment_status;
  if (order.payment_id.empty() || (payment != PaymentStatus::kCaptured && payment != PaymentStatus::kPartiallyRefunded &&
                                   payment != PaymentStatus::kRefunded)) {
    throw FailedPrecondition("nothing was captured for order " + order.id + " (payment " +
                             (payment == PaymentStatus::kNone ? std::string("not taken") : ToString(payment)) +
                             "); an order is charged when it ships, before that cancel it instead");
  }
  if (command.amount && command.amount->currency != order.total.currency) {
    throw InvalidArgument("amount.currency", "must be the order's currency, " + order.total.currency);
  }

  PaymentResult refunded = payments_.Refund(RefundKey(command.idempotency_key), order.payment_id, command.amount,
                                            command.reason);
  // Only what the refund changed is written: the order may have moved on meanwhile (delivered),
  // and a whole-row save would move it back.
  orders_.RecordRefund(order.id, refunded.status, refunded.status == PaymentStatus::kRefunded,
                       command.reason.empty() ? "Refunded" : "Refunded: " + command.reason);
  return GetOrder(order.id, "");
}

SalesReport Checkout::Sales(std::optional<Granularity> granularity, std::optional<Timestamp> from,
                            std::optional<Timestamp> to) {
  Violations violations;
  if (!granularity) violations.Add("granularity", "must be HOUR or DAY");
  if (!from) violations.Add("from_time", "is required");
  if (!to) violations.Add("to_time", "is required");
  if (from && to && *to <= *from) violations.Add("to_time", "must be later than from_time");
  if (granularity && from && to && *to > *from) {
    const auto bucket = *granularity == Granularity::kHour ? std::chrono::hours(1) : std::chrono::hours(24);
    // Buckets start at whole hours or days, so the range may touch one more than its length.
    if ((*to - *from) / bucket + 1 > kMaxSalesBuckets) {
      violations.Add("to_time", "the range may span at most " + std::to_string(kMaxSalesBuckets) +
                                    (*granularity == Granularity::kHour ? " hours" : " days"));
    }
  }
  violations.ThrowIfAny();
  SalesReport report{*granularity, kReportCurrency, {}};
  report.buckets = orders_.Sales({*granularity, *from, *to, kReportCurrency});
  return report;
}

bool Checkout::RecoverOne() {
  auto order = orders_.ClaimStale(settings_.lease);
  if (!order) return false;
  auto traced = observer_ != nullptr ? observer_->Resuming(*order) : nullptr;
  Drive(*order, nullptr);
  return true;
}

}  // namespace storefront::checkout::domain

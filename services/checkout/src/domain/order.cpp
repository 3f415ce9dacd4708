#include "domain/order.h"

#include "shared/types/enum_names.h"

namespace storefront::checkout::domain {
namespace {

using types::EnumNames;
using types::NameOf;
using types::ValueOf;

constexpr EnumNames<OrderStatus, 10> kStatusNames{{{OrderStatus::kPending, "PENDING"},
                                                   {OrderStatus::kReserved, "RESERVED"},
                                                   {OrderStatus::kPaymentAuthorized, "PAYMENT_AUTHORIZED"},
                                                   {OrderStatus::kConfirmed, "CONFIRMED"},
                                                   {OrderStatus::kShipped, "SHIPPED"},
                                                   {OrderStatus::kDelivered, "DELIVERED"},
                                                   {OrderStatus::kFailed, "FAILED"},
                                                   {OrderStatus::kCancelled, "CANCELLED"},
                                                   {OrderStatus::kRefunded, "REFUNDED"},
                                                   {OrderStatus::kCancelling, "CANCELLING"}}};
constexpr EnumNames<StepState, 4> kStepNames{{{StepState::kPending, "PENDING"},
                                              {StepState::kSucceeded, "SUCCEEDED"},
                                              {StepState::kFailed, "FAILED"},
                                              {StepState::kCompensated, "COMPENSATED"}}};
constexpr EnumNames<Failure, 6> kFailureNames{{{Failure::kNone, "NONE"},
                                               {Failure::kOutOfStock, "OUT_OF_STOCK"},
                                               {Failure::kPaymentDeclined, "PAYMENT_DECLINED"},
                                               {Failure::kDependencyUnavailable, "DEPENDENCY_UNAVAILABLE"},
                                               {Failure::kShippingFailed, "SHIPPING_FAILED"},
                                               {Failure::kInterrupted, "INTERRUPTED"}}};
constexpr EnumNames<PaymentStatus, 8> kPaymentNames{{{PaymentStatus::kNone, ""},
                                                     {PaymentStatus::kAuthorized, "AUTHORIZED"},
                                                     {PaymentStatus::kCaptured, "CAPTURED"},
                                                     {PaymentStatus::kVoided, "VOIDED"},
                                                     {PaymentStatus::kRefunded, "REFUNDED"},
                                                     {PaymentStatus::kPartiallyRefunded, "PARTIALLY_REFUNDED"},
                                                     {PaymentStatus::kDeclined, "DECLINED"},
                                                     {PaymentStatus::kFailed, "FAILED"}}};
constexpr EnumNames<ShipmentStatus, 5> kShipmentNames{{{ShipmentStatus::kNone, ""},
                                                       {ShipmentStatus::kLabelCreated, "LABEL_CREATED"},
                                                       {ShipmentStatus::kDispatched, "DISPATCHED"},
                                                       {ShipmentStatus::kDelivered, "DELIVERED"},
                                                       {ShipmentStatus::kCancelled, "CANCELLED"}}};

}  // namespace

std::string Card::Last4() const {
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits.size() >= 4 ? digits.substr(digits.size() - 4) : std::string();
}

// The tables hold string literals, so each name's data() ends in a NUL.
const char* ToString(OrderStatus status) { return NameOf(kStatusNames, status).data(); }
const char* ToString(StepState state) { return NameOf(kStepNames, state).data(); }
const char* ToString(Failure failure) { return NameOf(kFailureNames, failure).data(); }
const char* ToString(PaymentStatus status) { return NameOf(kPaymentNames, status).data(); }
const char* ToString(ShipmentStatus status) { return NameOf(kShipmentNames, status).data(); }
std::optional<OrderStatus> OrderStatusFromString(const std::string& text) { return ValueOf(kStatusNames, text); }
std::optional<StepState> StepStateFromString(const std::string& text) { return ValueOf(kStepNames, text); }
std::optional<Failure> FailureFromString(const std::string& text) { return ValueOf(kFailureNames, text); }
std::optional<PaymentStatus> PaymentStatusFromString(const std::string& text) { return ValueOf(kPaymentNames, text); }
std::optional<ShipmentStatus> ShipmentStatusFromString(const std::string& text) { return ValueOf(kShipmentNames, text); }

bool IsTerminal(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPending:
    case OrderStatus::kReserved:
    case OrderStatus::kPaymentAuthorized:
    case OrderStatus::kCancelling:
      return false;
    default:
      return true;
  }
}

bool CanMove(OrderStatus from, OrderStatus to) {
  using S = OrderStatus;
  if (from == to) return true;
  switch (from) {
    case S::kPending: return to == S::kReserved || to == S::kFailed;
    case S::kReserved: return to == S::kPaymentAuthorized || to == S::kFailed;
    case S::kPaymentAuthorized: return to == S::kConfirmed || to == S::kFailed;
    case S::kCancelling: return to == S::kCancelled || to == S::kConfirmed;
    default: return false;
  }
}

SagaStep* Order::Step(const std::string& name) {
  for (auto& step : steps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

const SagaStep* Order::Step(const std::string& name) const {
  for (const auto& step : steps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

int Order::ItemCount() const {
  int count = 0;
  for (const auto& item : items) count += item.quantity;
  return count;
}

}  // namespace storefront::checkout::domain

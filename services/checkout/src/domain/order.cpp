#include "domain/order.h"

namespace storefront::checkout::domain {
namespace {

constexpr const char* kStatusNames[] = {"PENDING",  "RESERVED",  "PAYMENT_AUTHORIZED", "CONFIRMED", "SHIPPED",
                                        "DELIVERED", "FAILED",   "CANCELLED",          "REFUNDED", "CANCELLING"};
constexpr const char* kStepNames[] = {"PENDING", "SUCCEEDED", "FAILED", "COMPENSATED"};
constexpr const char* kFailureNames[] = {"NONE",           "OUT_OF_STOCK", "PAYMENT_DECLINED", "DEPENDENCY_UNAVAILABLE",
                                         "SHIPPING_FAILED", "INTERRUPTED"};
constexpr const char* kPaymentNames[] = {"",         "AUTHORIZED",         "CAPTURED", "VOIDED",
                                         "REFUNDED", "PARTIALLY_REFUNDED", "DECLINED", "FAILED"};
constexpr const char* kShipmentNames[] = {"", "LABEL_CREATED", "DISPATCHED", "DELIVERED", "CANCELLED"};

template <typename Enum, std::size_t N>
std::optional<Enum> FromName(const char* const (&names)[N], const std::string& text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string Card::Last4() const {
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits.size() >= 4 ? digits.substr(digits.size() - 4) : std::string();
}

const char* ToString(OrderStatus status) { return kStatusNames[static_cast<int>(status)]; }
const char* ToString(StepState state) { return kStepNames[static_cast<int>(state)]; }
const char* ToString(Failure failure) { return kFailureNames[static_cast<int>(failure)]; }
const char* ToString(PaymentStatus status) { return kPaymentNames[static_cast<int>(status)]; }
const char* ToString(ShipmentStatus status) { return kShipmentNames[static_cast<int>(status)]; }
std::optional<OrderStatus> OrderStatusFromString(const std::string& text) { return FromName<OrderStatus>(kStatusNames, text); }
std::optional<StepState> StepStateFromString(const std::string& text) { return FromName<StepState>(kStepNames, text); }
std::optional<Failure> FailureFromString(const std::string& text) { return FromName<Failure>(kFailureNames, text); }
std::optional<PaymentStatus> PaymentStatusFromString(const std::string& text) {
  return FromName<PaymentStatus>(kPaymentNames, text);
}
std::optional<ShipmentStatus> ShipmentStatusFromString(const std::string& text) {
  return FromName<ShipmentStatus>(kShipmentNames, text);
}

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

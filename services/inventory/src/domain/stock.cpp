#include "domain/stock.h"

namespace storefront::inventory::domain {

std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;  // count every byte but continuations
  return count;
}

bool HasControlCharacters(std::string_view text, std::string_view allowed) {
  for (unsigned char c : text) {
    if ((c < 0x20 || c == 0x7F) && allowed.find(static_cast<char>(c)) == std::string_view::npos) return true;
  }
  return false;
}

std::string_view Name(ReservationState state) {
  switch (state) {
    case ReservationState::kActive: return "active";
    case ReservationState::kCommitted: return "committed";
    case ReservationState::kReleased: return "released";
  }
  return "unknown";
}

std::string_view Name(ReleaseReason reason) {
  switch (reason) {
    case ReleaseReason::kNone: return "none";
    case ReleaseReason::kCheckoutFailed: return "checkout_failed";
    case ReleaseReason::kOrderCancelled: return "order_cancelled";
    case ReleaseReason::kExpired: return "expired";
  }
  return "unknown";
}

std::string_view Name(AdjustmentReason reason) {
  switch (reason) {
    case AdjustmentReason::kRestock: return "restock";
    case AdjustmentReason::kCount: return "count";
    case AdjustmentReason::kDamaged: return "damaged";
    case AdjustmentReason::kReturned: return "returned";
  }
  return "unknown";
}

std::optional<StockEffect> EffectOf(ReservationState from, ReservationState to) {
  using S = ReservationState;
  if (from == S::kActive && to == S::kCommitted) return StockEffect{-1, -1};
  if (from == S::kActive && to == S::kReleased) return StockEffect{0, -1};
  if (from == S::kCommitted && to == S::kReleased) return StockEffect{+1, 0};
  return std::nullopt;
}

}  // namespace storefront::inventory::domain

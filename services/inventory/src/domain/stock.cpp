#include "domain/stock.h"

#include "shared/types/enum_names.h"

namespace storefront::inventory::domain {

std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;  // count every byte but continuations
  return count;
}

namespace {

using types::EnumNames;

constexpr EnumNames<ReservationState, 3> kStateNames{{{ReservationState::kActive, "active"},
                                                      {ReservationState::kCommitted, "committed"},
                                                      {ReservationState::kReleased, "released"}}};
constexpr EnumNames<ReleaseReason, 4> kReleaseReasonNames{{{ReleaseReason::kNone, "none"},
                                                           {ReleaseReason::kCheckoutFailed, "checkout_failed"},
                                                           {ReleaseReason::kOrderCancelled, "order_cancelled"},
                                                           {ReleaseReason::kExpired, "expired"}}};
constexpr EnumNames<AdjustmentReason, 4> kAdjustmentReasonNames{{{AdjustmentReason::kRestock, "restock"},
                                                                 {AdjustmentReason::kCount, "count"},
                                                                 {AdjustmentReason::kDamaged, "damaged"},
                                                                 {AdjustmentReason::kReturned, "returned"}}};

}  // namespace

std::string_view Name(ReservationState state) { return types::NameOf(kStateNames, state); }
std::string_view Name(ReleaseReason reason) { return types::NameOf(kReleaseReasonNames, reason); }
std::string_view Name(AdjustmentReason reason) { return types::NameOf(kAdjustmentReasonNames, reason); }

std::optional<ReservationState> ReservationStateFromName(std::string_view name) {
  return types::ValueOf(kStateNames, name);
}
std::optional<ReleaseReason> ReleaseReasonFromName(std::string_view name) {
  return types::ValueOf(kReleaseReasonNames, name);
}
std::optional<AdjustmentReason> AdjustmentReasonFromName(std::string_view name) {
  return types::ValueOf(kAdjustmentReasonNames, name);
}

std::optional<StockEffect> EffectOf(ReservationState from, ReservationState to) {
  using S = ReservationState;
  if (from == S::kActive && to == S::kCommitted) return StockEffect{-1, -1};
  if (from == S::kActive && to == S::kReleased) return StockEffect{0, -1};
  if (from == S::kCommitted && to == S::kReleased) return StockEffect{+1, 0};
  return std::nullopt;
}

}  // namespace storefront::inventory::domain

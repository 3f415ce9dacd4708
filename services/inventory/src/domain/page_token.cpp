#include "domain/page_token.h"

#include "shared/paging/cursor.h"
#include "shared/types/uuid.h"

namespace storefront::inventory::domain {
namespace {

constexpr std::string_view kLowStock = "low-stock";
constexpr std::string_view kStockLevels = "stock-levels";

// The product filter is fingerprinted into the kind: bound to it without spelling it out.
std::string AdjustmentsKind(std::string_view product_id) {
  return "adjustments:" + paging::Fingerprint({product_id});
}

}  // namespace

std::string EncodePageToken(const LowStockPageToken& token) {
  return paging::EncodeCursor(kLowStock, {std::to_string(token.available), token.product_id});
}

template <>
std::optional<LowStockPageToken> DecodePageToken(std::string_view encoded) {
  auto fields = paging::DecodeCursor(encoded, kLowStock, 2);
  if (!fields) return std::nullopt;
  auto available = paging::IntegerField<int>((*fields)[0]);
  if (!available || !types::IsUuid((*fields)[1])) return std::nullopt;
  return LowStockPageToken{*available, (*fields)[1]};
}

std::string EncodePageToken(const StockLevelPageToken& token) {
  return paging::EncodeCursor(kStockLevels, {token.product_id});
}

template <>
std::optional<StockLevelPageToken> DecodePageToken(std::string_view encoded) {
  auto fields = paging::DecodeCursor(encoded, kStockLevels, 1);
  if (!fields || !types::IsUuid((*fields)[0])) return std::nullopt;
  return StockLevelPageToken{(*fields)[0]};
}

std::string EncodePageToken(const AdjustmentPageToken& token, std::string_view product_id) {
  return paging::EncodeCursor(AdjustmentsKind(product_id), {std::to_string(token.sequence)});
}

std::optional<AdjustmentPageToken> DecodePageToken(std::string_view encoded, std::string_view product_id) {
  auto fields = paging::DecodeCursor(encoded, AdjustmentsKind(product_id), 1);
  if (!fields) return std::nullopt;
  auto sequence = paging::IntegerField<std::int64_t>((*fields)[0]);
  if (!sequence || *sequence < 0) return std::nullopt;
  return AdjustmentPageToken{*sequence};
}

}  // namespace storefront::inventory::domain

#include "domain/page_token.h"

#include <charconv>

#include "domain/stock.h"
#include "shared/paging/cursor.h"

namespace storefront::inventory::domain {
namespace {

constexpr std::string_view kLowStock = "low-stock";
constexpr std::string_view kStockLevels = "stock-levels";

// The product filter is fingerprinted into the kind: bound to it without spelling it out.
std::string AdjustmentsKind(std::string_view product_id) {
  return "adjustments:" + paging::Fingerprint({product_id});
}

template <typename Int>
std::optional<Int> ParseInt(const std::string& text) {
  Int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string EncodeLowStockCursor(const LowStockCursor& cursor) {
  return paging::EncodeCursor(kLowStock, {std::to_string(cursor.available), cursor.product_id});
}

std::optional<LowStockCursor> DecodeLowStockCursor(std::string_view token) {
  auto fields = paging::DecodeCursor(token, kLowStock, 2);
  if (!fields) return std::nullopt;
  auto available = ParseInt<int>((*fields)[0]);
  if (!available || !IsUuid((*fields)[1])) return std::nullopt;
  return LowStockCursor{*available, (*fields)[1]};
}

std::string EncodeStockLevelCursor(std::string_view product_id) {
  return paging::EncodeCursor(kStockLevels, {std::string(product_id)});
}

std::optional<std::string> DecodeStockLevelCursor(std::string_view token) {
  auto fields = paging::DecodeCursor(token, kStockLevels, 1);
  if (!fields || !IsUuid((*fields)[0])) return std::nullopt;
  return (*fields)[0];
}

std::string EncodeAdjustmentCursor(std::int64_t sequence, std::string_view product_id) {
  return paging::EncodeCursor(AdjustmentsKind(product_id), {std::to_string(sequence)});
}

std::optional<std::int64_t> DecodeAdjustmentCursor(std::string_view token, std::string_view product_id) {
  auto fields = paging::DecodeCursor(token, AdjustmentsKind(product_id), 1);
  if (!fields) return std::nullopt;
  auto sequence = ParseInt<std::int64_t>((*fields)[0]);
  if (!sequence || *sequence < 0) return std::nullopt;
  return sequence;
}

}  // namespace storefront::inventory::domain

// Keyset (cursor) pagination tokens for inventory's three listings.
//
// A token records where the previous page ended (its last row's sort key) so the next page
// starts strictly after it: no OFFSET scan, and no repeats when rows are inserted meanwhile.
// Each token is bound to the listing it came from (a fingerprint of its kind and filter), so a
// token replayed against another listing or another product is rejected, not silently misread.
// The encoding itself is shared/paging's cursor; this file gives it inventory's types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace storefront::inventory::domain {

// ListLowStock walks (available, product_id) ascending.
struct LowStockPageToken {
  int available = 0;
  std::string product_id;
  bool operator==(const LowStockPageToken&) const = default;
};

// ListStockLevels walks product_id ascending: the token is the last product of the page.
struct StockLevelPageToken {
  std::string product_id;
  bool operator==(const StockLevelPageToken&) const = default;
};

// ListAdjustments walks the adjustments' insertion sequence descending (newest first).
struct AdjustmentPageToken {
  std::int64_t sequence = 0;
  bool operator==(const AdjustmentPageToken&) const = default;
};

std::string EncodePageToken(const LowStockPageToken& token);
std::string EncodePageToken(const StockLevelPageToken& token);
// Only valid for the product_id filter ("" = every product) it was made for.
std::string EncodePageToken(const AdjustmentPageToken& token, std::string_view product_id);

// nullopt when the token is malformed or was made for another listing:
//   DecodePageToken<LowStockPageToken>(encoded), DecodePageToken<StockLevelPageToken>(encoded).
template <typename Token>
std::optional<Token> DecodePageToken(std::string_view encoded);
template <>
std::optional<LowStockPageToken> DecodePageToken(std::string_view encoded);
template <>
std::optional<StockLevelPageToken> DecodePageToken(std::string_view encoded);
// ... or, for ListAdjustments, for another product_id filter.
std::optional<AdjustmentPageToken> DecodePageToken(std::string_view encoded, std::string_view product_id);

}  // namespace storefront::inventory::domain

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
struct LowStockCursor {
  int available = 0;
  std::string product_id;
  bool operator==(const LowStockCursor&) const = default;
};

std::string EncodeLowStockCursor(const LowStockCursor& cursor);
// nullopt when the token is malformed or belongs to another listing.
std::optional<LowStockCursor> DecodeLowStockCursor(std::string_view token);

// ListStockLevels walks product_id ascending: the token is the last product of the page.
std::string EncodeStockLevelCursor(std::string_view product_id);
std::optional<std::string> DecodeStockLevelCursor(std::string_view token);

// ListAdjustments walks the adjustments' insertion sequence descending (newest first). The
// token is only valid for the product_id filter ("" = every product) it was made for.
std::string EncodeAdjustmentCursor(std::int64_t sequence, std::string_view product_id);
std::optional<std::int64_t> DecodeAdjustmentCursor(std::string_view token, std::string_view product_id);

}  // namespace storefront::inventory::domain

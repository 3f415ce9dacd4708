// Keyset (cursor) pagination tokens for ListShipments, newest first.
//
// A token records where the previous page ended: the last shipment's created_at (microseconds
// since the epoch) and its id as the tie-breaker between shipments created in the same
// microsecond. The next page starts strictly after that position, so shipments created while
// an operator pages are never repeated or skipped, unlike OFFSET paging. The token also carries
// the status filter it was made for, so replaying it with another filter is rejected instead of
// silently mis-paging. The encoding itself is shared/paging's cursor; this file gives it types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/shipment.h"

namespace storefront::shipping::domain {

struct PageToken {
  std::int64_t created_at_micros = 0;
  std::string id;  // UUID of the last shipment on the previous page
  bool operator==(const PageToken&) const = default;
};

std::string EncodePageToken(const PageToken& token, ShipmentStatus filter);
// nullopt when the token is malformed or was made for another status filter.
std::optional<PageToken> DecodePageToken(std::string_view encoded, ShipmentStatus filter);

}  // namespace storefront::shipping::domain

// ListOrders' keyset page token.
//
// A token records where the previous page ended: the created_at of its last order and that
// order's id as the tie-breaker (orders are listed newest first). The next page starts strictly
// after that position, so orders placed while someone pages are never repeated or skipped, as
// they would be with OFFSET. The encoding is shared/paging's cursor; this file gives it the
// checkout's types.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "shared/types/time.h"

namespace storefront::checkout::domain {

struct PageToken {
  types::Timestamp created_at;  // of the last order on the previous page (whole microseconds)
  std::string id;               // its UUID
  bool operator==(const PageToken&) const = default;
};

std::string EncodePageToken(const PageToken& token);
// nullopt unless `encoded` is a token EncodePageToken made.
std::optional<PageToken> DecodePageToken(std::string_view encoded);

}  // namespace storefront::checkout::domain

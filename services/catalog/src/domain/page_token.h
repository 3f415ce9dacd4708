// Keyset (cursor) pagination tokens.
//
// A page token records where the previous page ended: the sort key of its last row (the
// product name when browsing, the search rank when searching) and that row's id as the
// tie-breaker. The next page starts strictly after that position, so rows are never
// repeated or skipped when pages are fetched while other rows are inserted, unlike
// OFFSET paging. The token also carries a fingerprint of the filters it was made for, so a
// token replayed with a different query is rejected instead of silently mis-paging.
// The encoding itself is shared/paging's cursor; this file gives it catalog's types.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace storefront::catalog::domain {

struct PageToken {
  std::string sort_key;  // name, or the search rank as PostgreSQL prints a real
  std::string id;        // UUID of the last row on the previous page
  bool operator==(const PageToken&) const = default;
};

// Identifies the filters a token belongs to.
std::string FilterFingerprint(std::string_view query, std::string_view category_id, bool include_inactive);

std::string EncodePageToken(const PageToken& token, std::string_view fingerprint);
// nullopt when the token is malformed or was made for other filters.
std::optional<PageToken> DecodePageToken(std::string_view encoded, std::string_view fingerprint);

}  // namespace storefront::catalog::domain

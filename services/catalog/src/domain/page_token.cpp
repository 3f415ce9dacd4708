#include "domain/page_token.h"

#include "shared/paging/cursor.h"
#include "shared/types/uuid.h"

namespace storefront::catalog::domain {
namespace {

// The fingerprint is part of the kind, so a token made for other filters is another kind.
std::string Kind(std::string_view fingerprint) { return "products:" + std::string(fingerprint); }

}  // namespace

std::string FilterFingerprint(std::string_view query, std::string_view category_id, bool include_inactive) {
  return paging::Fingerprint({query, category_id, include_inactive ? "1" : "0"});
}

std::string EncodePageToken(const PageToken& token, std::string_view fingerprint) {
  return paging::EncodeCursor(Kind(fingerprint), {token.sort_key, token.id});
}

std::optional<PageToken> DecodePageToken(std::string_view encoded, std::string_view fingerprint) {
  auto fields = paging::DecodeCursor(encoded, Kind(fingerprint), 2);
  if (!fields || (*fields)[0].empty() || !types::IsUuid((*fields)[1])) return std::nullopt;
  return PageToken{std::move((*fields)[0]), std::move((*fields)[1])};
}

}  // namespace storefront::catalog::domain

#include "domain/page_token.h"

#include "shared/paging/cursor.h"
#include "shared/types/uuid.h"

namespace storefront::shipping::domain {
namespace {

// The status filter is part of the kind, so a token made for another filter is another kind.
std::string Kind(ShipmentStatus filter) { return "shipments:" + std::to_string(static_cast<int>(filter)); }

}  // namespace

std::string EncodePageToken(const PageToken& token, ShipmentStatus filter) {
  return paging::EncodeCursor(Kind(filter), {std::to_string(token.created_at_micros), token.id});
}

std::optional<PageToken> DecodePageToken(std::string_view encoded, ShipmentStatus filter) {
  auto fields = paging::DecodeCursor(encoded, Kind(filter), 2);
  if (!fields) return std::nullopt;
  auto micros = paging::IntegerField<std::int64_t>((*fields)[0]);
  if (!micros || !types::IsUuid((*fields)[1])) return std::nullopt;
  return PageToken{*micros, std::move((*fields)[1])};
}

}  // namespace storefront::shipping::domain

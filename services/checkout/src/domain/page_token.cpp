#include "domain/page_token.h"

#include <cstdint>

#include "shared/paging/cursor.h"
#include "shared/types/uuid.h"

namespace storefront::checkout::domain {
namespace {

// The fields: created_at as decimal microseconds since the epoch, then the id.
constexpr std::string_view kKind = "orders";

}  // namespace

std::string EncodePageToken(const PageToken& token) {
  return paging::EncodeCursor(kKind, {std::to_string(types::ToMicros(token.created_at)), token.id});
}

std::optional<PageToken> DecodePageToken(std::string_view encoded) {
  auto fields = paging::DecodeCursor(encoded, kKind, 2);
  if (!fields) return std::nullopt;
  auto micros = paging::IntegerField<std::int64_t>((*fields)[0]);
  if (!micros || !types::IsUuid((*fields)[1])) return std::nullopt;
  return PageToken{types::FromMicros(*micros), std::move((*fields)[1])};
}

}  // namespace storefront::checkout::domain

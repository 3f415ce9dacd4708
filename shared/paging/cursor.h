// Opaque keyset-pagination cursors, shared by every listing RPC.
//
// A cursor records where the previous page ended (its last row's sort key and tie-breaker) so
// the next page starts strictly after it: no OFFSET scan, and no repeats or gaps when rows are
// inserted between pages. Each cursor carries a `kind` naming the listing, and through it the
// filters, it was made for (see Fingerprint), so a cursor replayed against another listing or
// query is rejected instead of silently mis-paging. Services wrap these two functions in typed
// encode/decode pairs and validate each field's shape themselves.
//
// Clients see URL-safe base64 (no padding) of a versioned record whose fields are
// length-prefixed, so a field may hold any bytes, separators included.
#pragma once

#include <charconv>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace storefront::paging {

// Longer tokens are rejected before any decoding work.
inline constexpr std::size_t kMaxCursorLength = 1024;

std::string EncodeCursor(std::string_view kind, const std::vector<std::string>& fields);

// The fields of `token`; nullopt unless it is a well-formed cursor of this `kind` with exactly
// `field_count` fields and at most kMaxCursorLength characters.
std::optional<std::vector<std::string>> DecodeCursor(std::string_view token, std::string_view kind,
                                                     std::size_t field_count);

// 16 hex characters identifying a list of filter values (unambiguously: {"ab", ""} and
// {"a", "b"} differ), for binding a cursor to its filters without spelling them out in it.
std::string Fingerprint(std::initializer_list<std::string_view> parts);

// A cursor field that holds a decimal integer (a sort key, microseconds, a sequence): the whole
// of `text` as an Int, or nullopt for anything else, empty text and overflow included.
template <typename Int>
std::optional<Int> IntegerField(std::string_view text) {
  Int value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace storefront::paging

#include "shared/paging/cursor.h"
#include "shared/types/digest.h"

#include <sodium.h>

#include <charconv>

namespace storefront::paging {
namespace {

constexpr std::string_view kVersion = "c1";

// <decimal length>:<bytes>
void AppendItem(std::string& raw, std::string_view item) {
  raw += std::to_string(item.size());
  raw += ':';
  raw += item;
}

// Reads one item from the front of `rest`; nullopt on any malformation.
std::optional<std::string_view> TakeItem(std::string_view& rest) {
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 4) return std::nullopt;
  std::size_t length = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + colon, length);
  if (ec != std::errc() || ptr != rest.data() + colon) return std::nullopt;
  if (length > rest.size() - colon - 1) return std::nullopt;
  std::string_view item = rest.substr(colon + 1, length);
  rest.remove_prefix(colon + 1 + length);
  return item;
}

}  // namespace

std::string EncodeCursor(std::string_view kind, const std::vector<std::string>& fields) {
  std::string raw(kVersion);
  AppendItem(raw, kind);
  for (const auto& field : fields) AppendItem(raw, field);
  std::string encoded(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.size() - 1);  // drop the terminating NUL
  return encoded;
}

std::optional<std::vector<std::string>> DecodeCursor(std::string_view token, std::string_view kind,
                                                     std::size_t field_count) {
  if (token.empty() || token.size() > kMaxCursorLength) return std::nullopt;
  std::string raw(token.size(), '\0');
  std::size_t raw_length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), token.data(), token.size(), nullptr,
                        &raw_length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  std::string_view rest(raw.data(), raw_length);
  if (!rest.starts_with(kVersion)) return std::nullopt;
  rest.remove_prefix(kVersion.size());
  auto token_kind = TakeItem(rest);
  if (!token_kind || *token_kind != kind) return std::nullopt;
  std::vector<std::string> fields;
  while (!rest.empty()) {
    if (fields.size() == field_count) return std::nullopt;  // more fields than expected
    auto field = TakeItem(rest);
    if (!field) return std::nullopt;
    fields.emplace_back(*field);
  }
  if (fields.size() != field_count) return std::nullopt;
  return fields;
}

std::string Fingerprint(std::initializer_list<std::string_view> parts) {
  std::string material;
  for (std::string_view part : parts) {
    // Length-prefixed, so where one part ends and the next begins is never ambiguous.
    material += std::to_string(part.size()) + ':';
    material += part;
  }
  return types::Blake2bHex(material, 8);
}

}  // namespace storefront::paging

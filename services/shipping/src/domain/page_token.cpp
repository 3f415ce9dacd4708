#include "domain/page_token.h"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace storefront::shipping::domain {
namespace {

constexpr std::string_view kVersion = "s1";
constexpr char kSeparator = '|';  // none of the fields can contain it
constexpr std::size_t kMaxEncodedLength = 256;

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

template <typename T>
std::optional<T> ParseInt(std::string_view text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string EncodePageToken(const PageToken& token, ShipmentStatus filter) {
  std::string raw = std::string(kVersion) + kSeparator + std::to_string(static_cast<int>(filter)) + kSeparator +
                    std::to_string(token.created_at_micros) + kSeparator + token.id;
  std::string encoded(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.size() - 1);  // drop the terminating NUL
  return encoded;
}

std::optional<PageToken> DecodePageToken(std::string_view encoded, ShipmentStatus filter) {
  if (encoded.empty() || encoded.size() > kMaxEncodedLength) return std::nullopt;
  std::string raw(encoded.size(), '\0');
  std::size_t raw_length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), encoded.data(), encoded.size(),
                        nullptr, &raw_length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  raw.resize(raw_length);
  auto parts = Split(raw, kSeparator);
  if (parts.size() != 4 || parts[0] != kVersion) return std::nullopt;
  auto status = ParseInt<int>(parts[1]);
  auto micros = ParseInt<std::int64_t>(parts[2]);
  if (!status || *status != static_cast<int>(filter) || !micros || !IsUuid(parts[3])) return std::nullopt;
  return PageToken{*micros, std::string(parts[3])};
}

}  // namespace storefront::shipping::domain

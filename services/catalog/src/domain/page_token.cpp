#include "domain/page_token.h"

#include <sodium.h>

#include <vector>

#include "domain/product.h"

namespace storefront::catalog::domain {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr char kSeparator = '\x1f';  // unit separator: cannot occur in names (validated)
constexpr std::size_t kMaxEncodedLength = 1024;

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

}  // namespace

std::string FilterFingerprint(std::string_view query, std::string_view category_id, bool include_inactive) {
  std::string material = std::string(query) + '\0' + std::string(category_id) + '\0' + (include_inactive ? "1" : "0");
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(material.data()), material.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string EncodePageToken(const PageToken& token, std::string_view fingerprint) {
  std::string raw = std::string(kVersion) + kSeparator + std::string(fingerprint) + kSeparator + token.sort_key +
                    kSeparator + token.id;
  std::string encoded(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.size() - 1);  // drop the terminating NUL
  return encoded;
}

std::optional<PageToken> DecodePageToken(std::string_view encoded, std::string_view fingerprint) {
  if (encoded.empty() || encoded.size() > kMaxEncodedLength) return std::nullopt;
  std::string raw(encoded.size(), '\0');
  std::size_t raw_length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), encoded.data(), encoded.size(),
                        nullptr, &raw_length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  raw.resize(raw_length);
  auto parts = Split(raw, kSeparator);
  if (parts.size() != 4 || parts[0] != kVersion || parts[1] != fingerprint) return std::nullopt;
  if (parts[2].empty() || !IsUuid(parts[3])) return std::nullopt;
  return PageToken{std::string(parts[2]), std::string(parts[3])};
}

}  // namespace storefront::catalog::domain

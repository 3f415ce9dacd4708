#include "domain/page_token.h"

#include <sodium.h>

#include <charconv>
#include <vector>

#include "domain/stock.h"

namespace storefront::inventory::domain {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr char kSeparator = '\x1f';  // unit separator: never inside a number or a UUID
constexpr std::size_t kMaxEncodedLength = 512;

// Identifies the listing a token belongs to, without spelling the filter out in the token.
std::string Fingerprint(std::string_view scope) {
  unsigned char digest[8];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(scope.data()), scope.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string Encode(std::string_view scope, const std::vector<std::string>& fields) {
  std::string raw = std::string(kVersion) + kSeparator + Fingerprint(scope);
  for (const auto& field : fields) raw += kSeparator + field;
  std::string encoded(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.size() - 1);  // drop the terminating NUL
  return encoded;
}

// The token's fields after version and fingerprint; nullopt unless there are exactly `count`.
std::optional<std::vector<std::string>> Decode(std::string_view token, std::string_view scope, std::size_t count) {
  if (token.empty() || token.size() > kMaxEncodedLength) return std::nullopt;
  std::string raw(token.size(), '\0');
  std::size_t raw_length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), token.data(), token.size(), nullptr,
                        &raw_length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  raw.resize(raw_length);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto end = raw.find(kSeparator, start);
    parts.push_back(raw.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (parts.size() != count + 2 || parts[0] != kVersion || parts[1] != Fingerprint(scope)) return std::nullopt;
  return std::vector<std::string>(parts.begin() + 2, parts.end());
}

template <typename Int>
std::optional<Int> ParseInt(const std::string& text) {
  Int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string EncodeLowStockCursor(const LowStockCursor& cursor) {
  return Encode("low-stock", {std::to_string(cursor.available), cursor.product_id});
}

std::optional<LowStockCursor> DecodeLowStockCursor(std::string_view token) {
  auto fields = Decode(token, "low-stock", 2);
  if (!fields) return std::nullopt;
  auto available = ParseInt<int>((*fields)[0]);
  if (!available || !IsUuid((*fields)[1])) return std::nullopt;
  return LowStockCursor{*available, (*fields)[1]};
}

std::string EncodeStockLevelCursor(std::string_view product_id) {
  return Encode("stock-levels", {std::string(product_id)});
}

std::optional<std::string> DecodeStockLevelCursor(std::string_view token) {
  auto fields = Decode(token, "stock-levels", 1);
  if (!fields || !IsUuid((*fields)[0])) return std::nullopt;
  return (*fields)[0];
}

std::string EncodeAdjustmentCursor(std::int64_t sequence, std::string_view product_id) {
  return Encode("adjustments:" + std::string(product_id), {std::to_string(sequence)});
}

std::optional<std::int64_t> DecodeAdjustmentCursor(std::string_view token, std::string_view product_id) {
  auto fields = Decode(token, "adjustments:" + std::string(product_id), 1);
  if (!fields) return std::nullopt;
  auto sequence = ParseInt<std::int64_t>((*fields)[0]);
  if (!sequence || *sequence < 0) return std::nullopt;
  return sequence;
}

}  // namespace storefront::inventory::domain

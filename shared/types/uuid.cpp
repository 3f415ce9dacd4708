#include "shared/types/uuid.h"

#include <sodium.h>

#include <cctype>
#include <stdexcept>

namespace storefront::types {

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string NormalizeUuid(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string NewUuid() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  const std::string_view h(hex, sizeof bytes * 2);
  std::string uuid;
  uuid.reserve(36);
  uuid.append(h.substr(0, 8)).append("-").append(h.substr(8, 4)).append("-").append(h.substr(12, 4));
  uuid.append("-").append(h.substr(16, 4)).append("-").append(h.substr(20, 12));
  return uuid;
}

}  // namespace storefront::types

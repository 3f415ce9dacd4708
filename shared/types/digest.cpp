#include "shared/types/digest.h"

#include <sodium.h>

#include <stdexcept>

namespace storefront::types {
namespace {

std::string Hex(const unsigned char* digest, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, size);
  hex.pop_back();
  return hex;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return Hex(digest, sizeof digest);
}

std::string Blake2bHex(std::string_view data, std::size_t bytes) {
  if (bytes < 1 || bytes > crypto_generichash_BYTES_MAX) throw std::invalid_argument("Blake2bHex: 1 to 64 bytes");
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char digest[crypto_generichash_BYTES_MAX];
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, bytes);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_generichash_final(&state, digest, bytes);
  return Hex(digest, bytes);
}

}  // namespace storefront::types

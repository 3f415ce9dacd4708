#include "domain/fingerprint.h"

#include <sodium.h>

namespace storefront::payments::domain {

Fingerprint& Fingerprint::Add(std::string_view field) {
  canonical_ += std::to_string(field.size());
  canonical_ += ':';
  canonical_ += field;
  return *this;
}

std::string Fingerprint::Hex() const {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(canonical_.data()), canonical_.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace storefront::payments::domain

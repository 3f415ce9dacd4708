#include "accounts/password_hasher.h"

#include <sodium.h>

#include <stdexcept>

namespace storefront::gateway::accounts {

static_assert(crypto_pwhash_ALG_DEFAULT == crypto_pwhash_ALG_ARGON2ID13, "crypto_pwhash_str must be argon2id");

Argon2idHasher::Argon2idHasher() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string Argon2idHasher::Hash(std::string_view password) const {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  }
  return hash;
}

bool Argon2idHasher::Verify(const std::string& hash, std::string_view password) const {
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most STRBYTES.
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace storefront::gateway::accounts

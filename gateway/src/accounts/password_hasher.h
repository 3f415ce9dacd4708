// Password hashing behind an interface, so the use cases are unit tested with a fake and run in
// production with argon2id.
#pragma once

#include <string>
#include <string_view>

namespace storefront::gateway::accounts {

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // A self-describing hash string (algorithm, cost, salt, digest) to store.
  virtual std::string Hash(std::string_view password) const = 0;
  // True when `password` matches `hash`; false for a wrong password or a malformed hash.
  virtual bool Verify(const std::string& hash, std::string_view password) const = 0;
};

// libsodium's crypto_pwhash_str: argon2id with the INTERACTIVE cost (64 MiB, 2 passes), about a
// tenth of a second per call on purpose, so an attacker who steals the table guesses slowly.
// That is why callers run it on the gateway's blocking pool, never on a reactor thread, and why
// the pool is small: each call holds 64 MiB while it runs.
class Argon2idHasher final : public PasswordHasher {
 public:
  Argon2idHasher();
  std::string Hash(std::string_view password) const override;
  bool Verify(const std::string& hash, std::string_view password) const override;
};

}  // namespace storefront::gateway::accounts

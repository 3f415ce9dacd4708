// Access tokens: HS256 JSON Web Tokens (RFC 7519) issued at login and verified on every
// protected request, in process, with no call to the database or another service.
//
//   header  {"alg":"HS256","typ":"JWT","kid":"<16 hex>"}
//   payload {"sub":"<account id>","email":"...","role":"shopper"|"operator","iss":"storefront",
//            "aud":"storefront-api","iat":1767000000,"nbf":1767000000,"exp":1767000900,"jti":"<32 hex>"}
//
// `kid` names the key that signed the token (KeyIdOf: a digest of the key, so every replica names
// a key alike with no setting). The verifier holds a set of keys and picks the one the kid names:
// a new key is added to every replica's set first, then made the signing key, and the old one
// leaves the set once the tokens it signed have expired; nobody is signed out. libjwt 1.10 cannot
// write a header field of its own, so the issuer serialises the token itself (base64url JSON,
// HMAC-SHA256 from libsodium); verification stays with libjwt, under the header checks below.
//
// libjwt 1.10's jwt_decode verifies with whatever algorithm the token's own header names: a token
// MAC'd with HS512 (or HS384) under our key passes it. (It refuses "none" when given a key, but
// that is a library detail, not a rule of ours.) So TokenVerifier reads and checks the header
// itself before libjwt sees the token, and checks jwt_get_alg after: RFC 8725 §3.1, the verifier,
// not the token, decides the algorithm. jwt_test.cpp shows each attack refused.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/account.h"

namespace storefront::gateway::auth {

// Injected so tests can issue tokens in the past and check expiry without sleeping; empty means
// the system clock.
using Clock = std::function<std::chrono::system_clock::time_point()>;

inline constexpr std::string_view kIssuer = "storefront";
// RFC 7519 §4.1.3: the tokens are for this API, and a token for another audience is refused here.
inline constexpr std::string_view kAudience = "storefront-api";
inline constexpr std::size_t kMinKeyBytes = 32;  // RFC 7518 §3.2: at least the hash size
// How far another clock may be ahead: `iat` and `nbf` may lie this far in the future.
inline constexpr std::chrono::seconds kClockSkew{60};

// The `kid` of tokens signed with `key`: 16 hex digits of a keyed-context BLAKE2b digest of it.
std::string KeyIdOf(const std::string& key);

// Who sent a request, as its verified token says.
struct Principal {
  std::string account_id;
  std::string email;
  accounts::Role role = accounts::Role::kShopper;
};

struct IssuedToken {
  std::string access_token;
  std::chrono::seconds expires_in{0};
};

class TokenIssuer {
 public:
  // `signing_key` must hold at least kMinKeyBytes bytes (std::invalid_argument otherwise).
  TokenIssuer(std::string signing_key, std::chrono::seconds ttl, Clock clock = {});
  IssuedToken Issue(const accounts::Account& account) const;

 private:
  std::string key_;
  std::string key_id_;
  std::chrono::seconds ttl_;
  Clock clock_;
};

// The outcome of checking a token: a principal, or why there is none. `reason` is for logs;
// clients are only told whether the token expired.
struct Verification {
  std::optional<Principal> principal;
  bool expired = false;
  std::string reason;
};

class TokenVerifier {
 public:
  explicit TokenVerifier(std::string signing_key, Clock clock = {});
  // Accepts tokens signed with any of `keys` (the signing key and those being added or retired).
  explicit TokenVerifier(const std::vector<std::string>& keys, Clock clock = {});
  Verification Verify(std::string_view token) const;

 private:
  std::map<std::string, std::string> keys_;  // by kid
  Clock clock_;
};

}  // namespace storefront::gateway::auth

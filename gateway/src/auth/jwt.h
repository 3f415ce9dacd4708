// Access tokens: HS256 JSON Web Tokens (RFC 7519) issued at login and verified on every
// protected request, in process, with no call to the database or another service.
//
//   header  {"alg":"HS256","typ":"JWT"}
//   payload {"sub":"<account id>","email":"...","role":"shopper"|"operator",
//            "iss":"storefront","iat":1767000000,"exp":1767000900,"jti":"<32 hex>"}
//
// libjwt 1.10's jwt_decode verifies with whatever algorithm the token's own header names: a token
// MAC'd with HS512 (or HS384) under our key passes it. (It refuses "none" when given a key, but
// that is a library detail, not a rule of ours.) So TokenVerifier reads and checks the header
// itself before libjwt sees the token, and checks jwt_get_alg after: RFC 8725 §3.1, the verifier,
// not the token, decides the algorithm. jwt_test.cpp shows each attack refused.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/account.h"

namespace storefront::gateway::auth {

// Injected so tests can issue tokens in the past and check expiry without sleeping; empty means
// the system clock.
using Clock = std::function<std::chrono::system_clock::time_point()>;

inline constexpr std::string_view kIssuer = "storefront";
inline constexpr std::size_t kMinKeyBytes = 32;  // RFC 7518 §3.2: at least the hash size

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
  Verification Verify(std::string_view token) const;

 private:
  std::string key_;
  Clock clock_;
};

}  // namespace storefront::gateway::auth

#include "auth/jwt.h"

#include <jwt.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace storefront::gateway::auth {
namespace {

// Far above any token this gateway issues (~400 bytes); bounds the work a hostile one costs.
constexpr std::size_t kMaxTokenBytes = 4096;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// libjwt 1.10 hands out malloc'd strings.
std::string TakeString(char* text) {
  if (text == nullptr) return {};
  std::string copy(text);
  std::free(text);
  return copy;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size(), '\0');  // decoding only shrinks
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

std::string Lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Clock OrSystemClock(Clock clock) {
  if (clock) return clock;
  return [] { return std::chrono::system_clock::now(); };
}

Verification Refuse(std::string reason) { return {std::nullopt, false, std::move(reason)}; }

// RFC 8725 §3.1 and §3.11: the only algorithm accepted is the one this gateway signs with; a
// typ, when present, must say JWT; a "crit" header names extensions we do not implement, which
// RFC 7515 §4.1.11 says to refuse.
std::string CheckHeader(std::string_view encoded) {
  auto decoded = Base64UrlDecode(encoded);
  if (!decoded) return "header is not base64url";
  auto header = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return "header is not a JSON object";
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") return "alg is not HS256";
  if (auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string() || Lower(typ->get<std::string>()) != "jwt") return "typ is not JWT";
  }
  if (header.contains("crit")) return "crit header not supported";
  return {};
}

}  // namespace

TokenIssuer::TokenIssuer(std::string signing_key, std::chrono::seconds ttl, Clock clock)
    : key_(std::move(signing_key)), ttl_(ttl), clock_(OrSystemClock(std::move(clock))) {
  if (key_.size() < kMinKeyBytes) throw std::invalid_argument("JWT signing key must be at least 32 bytes");
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

IssuedToken TokenIssuer::Issue(const accounts::Account& account) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::bad_alloc();
  JwtPtr jwt(raw);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  const std::string role(accounts::RoleName(account.role));
  const std::string issuer(kIssuer);
  const std::string jti = RandomHex(16);
  int failed = jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key_.data()),
                           static_cast<int>(key_.size()));
  failed |= jwt_add_grant(jwt.get(), "sub", account.id.c_str());
  failed |= jwt_add_grant(jwt.get(), "email", account.email.c_str());
  failed |= jwt_add_grant(jwt.get(), "role", role.c_str());
  failed |= jwt_add_grant(jwt.get(), "iss", issuer.c_str());
  failed |= jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(now));
  failed |= jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(now + ttl_.count()));
  failed |= jwt_add_grant(jwt.get(), "jti", jti.c_str());
  if (failed != 0) throw std::runtime_error("could not build the access token");
  std::string token = TakeString(jwt_encode_str(jwt.get()));
  if (token.empty()) throw std::runtime_error("could not sign the access token");
  return {std::move(token), ttl_};
}

TokenVerifier::TokenVerifier(std::string signing_key, Clock clock) : key_(std::move(signing_key)), clock_(OrSystemClock(std::move(clock))) {
  if (key_.size() < kMinKeyBytes) throw std::invalid_argument("JWT signing key must be at least 32 bytes");
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Verification TokenVerifier::Verify(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenBytes) return Refuse("empty or oversized token");
  // Compact JWS: header.payload.signature, none of them empty (an unsigned token has no signature).
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos || first == 0 ||
      second == first + 1 || second + 1 == token.size()) {
    return Refuse("not a signed compact JWS");
  }
  if (auto problem = CheckHeader(token.substr(0, first)); !problem.empty()) return Refuse(problem);

  const std::string text(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key_.data()),
                 static_cast<int>(key_.size())) != 0) {
    return Refuse("bad signature or encoding");
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return Refuse("alg is not HS256");

  auto claims = nlohmann::json::parse(TakeString(jwt_get_grants_json(jwt.get(), nullptr)), nullptr, false);
  if (!claims.is_object()) return Refuse("claims are not a JSON object");
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) return Refuse("exp missing or not an integer");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  if (now >= exp->get<std::int64_t>()) return {std::nullopt, true, "token expired"};
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != kIssuer) return Refuse("wrong issuer");
  auto sub = claims.find("sub");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) return Refuse("sub missing");
  auto email = claims.find("email");
  if (email == claims.end() || !email->is_string()) return Refuse("email missing");
  auto role_claim = claims.find("role");
  auto role = role_claim != claims.end() && role_claim->is_string()
                  ? accounts::ParseRole(role_claim->get<std::string>())
                  : std::nullopt;
  if (!role) return Refuse("role missing or unknown");
  return {Principal{sub->get<std::string>(), email->get<std::string>(), *role}, false, {}};
}

}  // namespace storefront::gateway::auth

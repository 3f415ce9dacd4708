#include "auth/jwt.h"

#include <jwt.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cctype>
#include <cstring>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "shared/types/digest.h"

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

std::string Base64UrlEncode(const std::string& data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
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
// RFC 7515 §4.1.11 says to refuse; the kid names the key. Returns the kid, or why the header is
// refused.
struct HeaderCheck {
  std::string kid;
  std::string problem;
};

HeaderCheck CheckHeader(std::string_view encoded) {
  auto decoded = Base64UrlDecode(encoded);
  if (!decoded) return {"", "header is not base64url"};
  auto header = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return {"", "header is not a JSON object"};
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") return {"", "alg is not HS256"};
  if (auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string() || Lower(typ->get<std::string>()) != "jwt") return {"", "typ is not JWT"};
  }
  if (header.contains("crit")) return {"", "crit header not supported"};
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string()) return {"", "kid missing"};
  return {kid->get<std::string>(), ""};
}

// A NumericDate claim (RFC 7519 §2): an integer number of seconds.
std::optional<std::int64_t> TimeClaim(const nlohmann::json& claims, const char* name) {
  auto claim = claims.find(name);
  if (claim == claims.end() || !claim->is_number_integer()) return std::nullopt;
  return claim->get<std::int64_t>();
}

// RFC 7519 §4.1.3: a string, or an array of strings, naming this API.
bool ForThisAudience(const nlohmann::json& claims) {
  auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return aud->get<std::string>() == kAudience;
  if (!aud->is_array()) return false;
  for (const auto& entry : *aud) {
    if (entry.is_string() && entry.get<std::string>() == kAudience) return true;
  }
  return false;
}

void CheckKey(const std::string& key) {
  if (key.size() < kMinKeyBytes) throw std::invalid_argument("JWT signing key must be at least 32 bytes");
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string KeyIdOf(const std::string& key) {
  return types::Blake2bHex("storefront jwt key id" + key, 8);
}

TokenIssuer::TokenIssuer(std::string signing_key, std::chrono::seconds ttl, Clock clock)
    : key_(std::move(signing_key)), ttl_(ttl), clock_(OrSystemClock(std::move(clock))) {
  CheckKey(key_);
  key_id_ = KeyIdOf(key_);
}

IssuedToken TokenIssuer::Issue(const accounts::Account& account) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key_id_}};
  const nlohmann::json claims = {{"sub", account.id},
                                 {"email", account.email},
                                 {"role", accounts::RoleName(account.role)},
                                 {"iss", kIssuer},
                                 {"aud", kAudience},
                                 {"iat", now},
                                 {"nbf", now},
                                 {"exp", now + ttl_.count()},
                                 {"jti", RandomHex(16)}};
  // RFC 7515 §7.1: BASE64URL(header) . BASE64URL(payload) . BASE64URL(HMAC over the first two).
  const std::string signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  return {signing_input + "." + Base64UrlEncode(HmacSha256(key_, signing_input)), ttl_};
}

TokenVerifier::TokenVerifier(std::string signing_key, Clock clock)
    : TokenVerifier(std::vector<std::string>{std::move(signing_key)}, std::move(clock)) {}

TokenVerifier::TokenVerifier(const std::vector<std::string>& keys, Clock clock) : clock_(OrSystemClock(std::move(clock))) {
  if (keys.empty()) throw std::invalid_argument("a token verifier needs a key");
  for (const auto& key : keys) {
    CheckKey(key);
    keys_.emplace(KeyIdOf(key), key);
  }
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
  const HeaderCheck header = CheckHeader(token.substr(0, first));
  if (!header.problem.empty()) return Refuse(header.problem);
  auto key = keys_.find(header.kid);
  if (key == keys_.end()) return Refuse("unknown kid");

  const std::string text(token);  // libjwt wants a NUL-terminated string
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key->second.data()),
                 static_cast<int>(key->second.size())) != 0) {
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
  if (!ForThisAudience(claims)) return Refuse("not for this audience");
  // Issued, and valid from, no later than now (give or take another clock's skew).
  auto iat = TimeClaim(claims, "iat");
  if (!iat || *iat > now + kClockSkew.count()) return Refuse("iat missing or in the future");
  if (claims.contains("nbf")) {
    auto nbf = TimeClaim(claims, "nbf");
    if (!nbf || *nbf > now + kClockSkew.count()) return Refuse("not valid yet");
  }
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

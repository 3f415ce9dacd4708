#include "auth/jwt.h"

#include <gtest/gtest.h>
#include <jwt.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstdlib>

namespace storefront::gateway::auth {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Time = std::chrono::system_clock::time_point;

const std::string kKey = "0123456789abcdef0123456789abcdef-test-key";
const Time kIssuedAt = Time(std::chrono::seconds(1'800'000'000));
constexpr std::int64_t kIat = 1'800'000'000;

Clock At(Time time) {
  return [time] { return time; };
}

accounts::Account Ada() {
  accounts::Account account;
  account.id = "3f2b8c1e-1d2a-4b5c-9e8f-0a1b2c3d4e5f";
  account.email = "ada@example.com";
  account.name = "Ada";
  account.role = accounts::Role::kShopper;
  return account;
}

std::string Base64Url(const std::string& data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::string FromBase64Url(const std::string& text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                              nullptr, &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
            0);
  out.resize(length);
  return out;
}

// A token built by hand, HMAC-SHA256-signed with `key` whatever its header claims: what an
// attacker who knows the format (but not the key) or a confused client could send.
std::string Craft(const json& header, const json& claims, const std::string& key = kKey) {
  std::string signing_input = Base64Url(header.dump()) + "." + Base64Url(claims.dump());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return signing_input + "." + Base64Url(std::string(reinterpret_cast<char*>(mac), sizeof mac));
}

json ValidClaims() {
  return {{"sub", Ada().id},  {"email", "ada@example.com"}, {"role", "shopper"}, {"iss", "storefront"},
          {"aud", "storefront-api"}, {"iat", kIat}, {"nbf", kIat}, {"exp", kIat + 900},
          {"jti", "0123456789abcdef0123456789abcdef"}};
}

const json kHs256Header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", KeyIdOf(kKey)}};

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

class JwtTest : public ::testing::Test {
 protected:
  TokenIssuer issuer_{kKey, 900s, At(kIssuedAt)};
  TokenVerifier verifier_{kKey, At(kIssuedAt + 10s)};
};

TEST_F(JwtTest, IssuesAnHs256TokenThatVerifies) {
  auto issued = issuer_.Issue(Ada());
  EXPECT_EQ(issued.expires_in, 900s);
  auto parts = Split(issued.access_token);
  ASSERT_EQ(parts.size(), 3u);
  auto header = json::parse(FromBase64Url(parts[0]));
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["typ"], "JWT");
  EXPECT_EQ(header["kid"], KeyIdOf(kKey));
  EXPECT_EQ(header["kid"].get<std::string>().size(), 16u);
  auto claims = json::parse(FromBase64Url(parts[1]));
  EXPECT_EQ(claims["sub"], Ada().id);
  EXPECT_EQ(claims["email"], "ada@example.com");
  EXPECT_EQ(claims["role"], "shopper");
  EXPECT_EQ(claims["iss"], "storefront");
  EXPECT_EQ(claims["aud"], "storefront-api");
  EXPECT_EQ(claims["iat"], kIat);
  EXPECT_EQ(claims["nbf"], kIat);
  EXPECT_EQ(claims["exp"], kIat + 900);
  EXPECT_EQ(claims["jti"].get<std::string>().size(), 32u);
  EXPECT_FALSE(claims.contains("name"));

  auto verified = verifier_.Verify(issued.access_token);
  ASSERT_TRUE(verified.principal) << verified.reason;
  EXPECT_EQ(verified.principal->account_id, Ada().id);
  EXPECT_EQ(verified.principal->email, "ada@example.com");
  EXPECT_EQ(verified.principal->role, accounts::Role::kShopper);
}

TEST_F(JwtTest, CarriesTheOperatorRoleAndAFreshJtiEachTime) {
  auto account = Ada();
  account.role = accounts::Role::kOperator;
  auto first = issuer_.Issue(account).access_token;
  auto second = issuer_.Issue(account).access_token;
  EXPECT_NE(json::parse(FromBase64Url(Split(first)[1]))["jti"], json::parse(FromBase64Url(Split(second)[1]))["jti"]);
  auto verified = verifier_.Verify(first);
  ASSERT_TRUE(verified.principal);
  EXPECT_EQ(verified.principal->role, accounts::Role::kOperator);
}

TEST_F(JwtTest, ExpiresExactlyAtExp) {
  auto token = issuer_.Issue(Ada()).access_token;
  EXPECT_TRUE(TokenVerifier(kKey, At(kIssuedAt + 899s)).Verify(token).principal);
  auto expired = TokenVerifier(kKey, At(kIssuedAt + 900s)).Verify(token);
  EXPECT_FALSE(expired.principal);
  EXPECT_TRUE(expired.expired);
  EXPECT_TRUE(TokenVerifier(kKey, At(kIssuedAt + 24h)).Verify(token).expired);
}

TEST_F(JwtTest, RefusesATokenSignedWithAnotherKey) {
  TokenIssuer forger("another-key-that-is-long-enough-32-bytes", 900s, At(kIssuedAt));
  auto verified = verifier_.Verify(forger.Issue(Ada()).access_token);
  EXPECT_FALSE(verified.principal);
  EXPECT_FALSE(verified.expired);
}

TEST_F(JwtTest, RefusesATamperedPayload) {
  auto parts = Split(issuer_.Issue(Ada()).access_token);
  auto claims = json::parse(FromBase64Url(parts[1]));
  claims["role"] = "operator";
  EXPECT_FALSE(verifier_.Verify(parts[0] + "." + Base64Url(claims.dump()) + "." + parts[2]).principal);
  claims = json::parse(FromBase64Url(parts[1]));
  claims["exp"] = kIat + 365 * 24 * 3600;
  EXPECT_FALSE(verifier_.Verify(parts[0] + "." + Base64Url(claims.dump()) + "." + parts[2]).principal);
  // The signature of another token does not fit this one either.
  auto other = Split(issuer_.Issue(Ada()).access_token);
  EXPECT_FALSE(verifier_.Verify(parts[0] + "." + parts[1] + "." + other[2]).principal);
}

// Unsigned tokens, however the header is dressed up. (libjwt 1.10.2 refuses "none" itself when
// given a key; the header check and the jwt_get_alg check refuse it too, independently.)
TEST_F(JwtTest, RefusesUnsignedAlgNoneTokens) {
  const std::string payload = Base64Url(ValidClaims().dump());
  for (const json& header : {json{{"alg", "none"}, {"typ", "JWT"}}, json{{"alg", "none"}}, json{{"alg", "None"}},
                             json{{"alg", "NONE"}}, json{{"typ", "JWT"}}}) {
    const std::string head = Base64Url(header.dump());
    EXPECT_FALSE(verifier_.Verify(head + "." + payload + ".").principal) << header.dump();
    EXPECT_FALSE(verifier_.Verify(head + "." + payload).principal) << header.dump();
    EXPECT_FALSE(verifier_.Verify(head + "." + payload + ".c2lnbmF0dXJl").principal) << header.dump();
    // Even correctly MAC'd: the header, not the MAC, is what is refused.
    EXPECT_FALSE(verifier_.Verify(Craft(header, ValidClaims())).principal) << header.dump();
  }
}

TEST_F(JwtTest, RefusesOtherAlgorithmsEvenWithTheRightKey) {
  // HS512 with the very same key: a valid signature, but not the algorithm we chose. libjwt 1.10
  // alone accepts this token; the header check is what refuses it.
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_new(&raw), 0);
  ASSERT_EQ(jwt_set_alg(raw, JWT_ALG_HS512, reinterpret_cast<const unsigned char*>(kKey.data()),
                        static_cast<int>(kKey.size())),
            0);
  ASSERT_EQ(jwt_add_grants_json(raw, ValidClaims().dump().c_str()), 0);
  char* encoded = jwt_encode_str(raw);
  std::string hs512(encoded);
  std::free(encoded);
  jwt_free(raw);
  auto refused = verifier_.Verify(hs512);
  EXPECT_FALSE(refused.principal);
  EXPECT_EQ(refused.reason, "alg is not HS256");

  // Algorithm confusion: an HMAC made with the key, under headers naming other algorithms.
  for (const char* alg : {"RS256", "ES256", "HS384", "HS512", "hs256", "HS256 "}) {
    auto confused = verifier_.Verify(Craft({{"alg", alg}, {"typ", "JWT"}, {"kid", KeyIdOf(kKey)}}, ValidClaims()));
    EXPECT_FALSE(confused.principal) << alg;
    EXPECT_EQ(confused.reason, "alg is not HS256") << alg;
  }
}

TEST_F(JwtTest, AcceptsAnAbsentTypButNoOtherType) {
  const std::string kid = KeyIdOf(kKey);
  EXPECT_TRUE(verifier_.Verify(Craft(kHs256Header, ValidClaims())).principal);
  EXPECT_TRUE(verifier_.Verify(Craft({{"alg", "HS256"}, {"kid", kid}}, ValidClaims())).principal);
  EXPECT_EQ(verifier_.Verify(Craft({{"alg", "HS256"}, {"kid", kid}, {"typ", "at+jwt"}}, ValidClaims())).reason,
            "typ is not JWT");
  EXPECT_EQ(verifier_.Verify(Craft({{"alg", "HS256"}, {"kid", kid}, {"typ", 1}}, ValidClaims())).reason, "typ is not JWT");
  EXPECT_EQ(verifier_.Verify(Craft({{"alg", "HS256"}, {"kid", kid}, {"crit", {"exp"}}}, ValidClaims())).reason,
            "crit header not supported");
}

// RFC 7519: `aud` must name this API (a string, or an array holding it); `iat` must be there and
// not later than now, `nbf` (when there) not later than now, each give or take kClockSkew.
TEST_F(JwtTest, RefusesTokensForAnotherAudienceOrFromTheFuture) {
  auto with = [](const char* name, json value) {
    auto claims = ValidClaims();
    claims[name] = std::move(value);
    return claims;
  };
  auto reason = [&](const json& claims) {
    auto verified = verifier_.Verify(Craft(kHs256Header, claims));
    return verified.principal ? std::string("accepted") : verified.reason;
  };
  auto without = [](const char* name) {
    auto claims = ValidClaims();
    claims.erase(name);
    return claims;
  };
  constexpr std::int64_t kNow = kIat + 10;  // the verifier's clock
  EXPECT_EQ(reason(without("aud")), "not for this audience");
  EXPECT_EQ(reason(with("aud", "another-api")), "not for this audience");
  EXPECT_EQ(reason(with("aud", json::array({"another-api"}))), "not for this audience");
  EXPECT_EQ(reason(with("aud", json::array({"another-api", "storefront-api"}))), "accepted");
  EXPECT_EQ(reason(without("iat")), "iat missing or in the future");
  EXPECT_EQ(reason(with("iat", "1800000000")), "iat missing or in the future");
  EXPECT_EQ(reason(with("iat", kNow + 61)), "iat missing or in the future");
  EXPECT_EQ(reason(with("iat", kNow + 59)), "accepted");
  EXPECT_EQ(reason(with("nbf", kNow + 120)), "not valid yet");
  EXPECT_EQ(reason(with("nbf", "soon")), "not valid yet");
  EXPECT_EQ(reason(with("nbf", kNow + 59)), "accepted");
  EXPECT_EQ(reason(without("nbf")), "accepted");
}

TEST_F(JwtTest, TheKidChoosesTheKeyButNeverMakesAnotherKeysSignatureCount) {
  EXPECT_EQ(verifier_.Verify(Craft({{"alg", "HS256"}}, ValidClaims())).reason, "kid missing");
  EXPECT_EQ(verifier_.Verify(Craft({{"alg", "HS256"}, {"kid", 7}}, ValidClaims())).reason, "kid missing");
  EXPECT_EQ(verifier_.Verify(Craft({{"alg", "HS256"}, {"kid", "0000000000000000"}}, ValidClaims())).reason,
            "unknown kid");
  // Our kid over a MAC made with another key.
  auto forged = verifier_.Verify(Craft(kHs256Header, ValidClaims(), "another-key-that-is-long-enough-32-bytes"));
  EXPECT_FALSE(forged.principal);
  EXPECT_EQ(forged.reason, "bad signature or encoding");
}

// Rotation: the new key joins every replica's verifier first, then signs; the old one leaves the
// verifiers once its tokens have expired. Nobody is signed out on the way.
TEST(JwtRotationTest, ANewKeyIsAcceptedBeforeItSignsAndTheOldOneRetiresAfterItsTokensExpire) {
  const std::string old_key = kKey;
  const std::string new_key = "a-new-key-that-is-long-enough-32-bytes!!";
  EXPECT_NE(KeyIdOf(old_key), KeyIdOf(new_key));
  const auto old_token = TokenIssuer(old_key, 900s, At(kIssuedAt)).Issue(Ada()).access_token;

  const TokenVerifier both(std::vector<std::string>{new_key, old_key}, At(kIssuedAt + 10s));
  EXPECT_TRUE(both.Verify(old_token).principal);
  const auto new_token = TokenIssuer(new_key, 900s, At(kIssuedAt + 5s)).Issue(Ada()).access_token;
  EXPECT_TRUE(both.Verify(new_token).principal);
  EXPECT_EQ(json::parse(FromBase64Url(Split(new_token)[0]))["kid"], KeyIdOf(new_key));

  const TokenVerifier retired(std::vector<std::string>{new_key}, At(kIssuedAt + 10s));
  EXPECT_TRUE(retired.Verify(new_token).principal);
  auto refused = retired.Verify(old_token);
  EXPECT_FALSE(refused.principal);
  EXPECT_EQ(refused.reason, "unknown kid");
}

TEST_F(JwtTest, RefusesGarbage) {
  for (const std::string& token : std::vector<std::string>{"", ".", "..", "...", "abc", "a.b", "a.b.c", "a.b.c.d", "!!!.???.***", "eyJhbGciOiJIUzI1NiJ9..sig",
        std::string(5000, 'a') + "." + std::string(5000, 'b') + "." + std::string(43, 'c'),
        Base64Url("not json") + "." + Base64Url(ValidClaims().dump()) + ".c2ln",
        Base64Url("[1,2]") + "." + Base64Url(ValidClaims().dump()) + ".c2ln"}) {
    auto verified = verifier_.Verify(token);
    EXPECT_FALSE(verified.principal) << token.substr(0, 40);
    EXPECT_FALSE(verified.expired);
  }
  // A valid header and signature over a payload that is not JSON.
  std::string signing_input = Base64Url(kHs256Header.dump()) + "." + Base64Url("not json");
  EXPECT_FALSE(verifier_.Verify(signing_input + "." + Split(Craft(kHs256Header, {}))[2]).principal);
}

TEST_F(JwtTest, RefusesMissingOrWrongClaims) {
  auto without = [](const char* name) {
    auto claims = ValidClaims();
    claims.erase(name);
    return claims;
  };
  auto with = [](const char* name, json value) {
    auto claims = ValidClaims();
    claims[name] = std::move(value);
    return claims;
  };
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, without("exp"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, with("exp", "1900000000"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, with("exp", 1.9e9))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, without("iss"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, with("iss", "someone-else"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, without("sub"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, with("sub", ""))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, without("role"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, with("role", "admin"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, with("role", json::array({"operator"})))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, without("email"))).principal);
  EXPECT_FALSE(verifier_.Verify(Craft(kHs256Header, json::array())).principal);
}

TEST(JwtKeyTest, RefusesKeysShorterThan32Bytes) {
  EXPECT_THROW(TokenIssuer(std::string(31, 'k'), 900s), std::invalid_argument);
  EXPECT_THROW(TokenVerifier(std::string(31, 'k')), std::invalid_argument);
  EXPECT_NO_THROW(TokenVerifier(std::string(32, 'k')));
}

}  // namespace
}  // namespace storefront::gateway::auth

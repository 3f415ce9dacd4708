#include "auth/require.h"

#include <cctype>

#include "shared/log/log.h"

namespace storefront::gateway::auth {
namespace {

constexpr const char* kChallenge = "Bearer realm=\"storefront\"";

bool IsToken68Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
         c == '/';
}

// True when the credentials use the Bearer scheme ("Bearer", any case, alone or before a space).
bool IsBearerScheme(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() < kScheme.size() || (value.size() > kScheme.size() && value[kScheme.size()] != ' ')) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return false;
  }
  return true;
}

void Unauthenticated(http::Responder& out, const std::string& challenge, std::string detail) {
  out.AddHeader("WWW-Authenticate", challenge);
  out.SendProblem({401, "unauthenticated", "Unauthenticated", std::move(detail), {}});
}

}  // namespace

std::optional<std::string> ParseBearer(std::string_view value) {
  if (!IsBearerScheme(value)) return std::nullopt;
  value.remove_prefix(6);  // "bearer"
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  std::size_t end = 0;
  while (end < value.size() && IsToken68Char(value[end])) ++end;
  while (end < value.size() && value[end] == '=') ++end;
  if (end == 0 || end != value.size()) return std::nullopt;
  return std::string(value);
}

http::Handler RequireAuth(std::shared_ptr<const TokenVerifier> verifier, std::optional<accounts::Role> role,
                          AuthedHandler handler) {
  return [verifier = std::move(verifier), role, handler = std::move(handler)](
             const http::Request& request, std::shared_ptr<http::Responder> out) {
    const std::string authorization = request.Header("authorization");
    auto token = ParseBearer(authorization);
    if (!token) {
      // No bearer credentials at all: RFC 6750 §3.1 says no error code then.
      if (!IsBearerScheme(authorization)) {
        return Unauthenticated(*out, kChallenge,
                               "this route needs an access token: sign in at /api/v1/auth/login and send "
                               "Authorization: Bearer <access_token>");
      }
      return Unauthenticated(*out, std::string(kChallenge) + ", error=\"invalid_token\"",
                             "the access token is malformed");
    }
    auto verified = verifier->Verify(*token);
    if (!verified.principal) {
      log::Info("access token refused", {{"request_id", request.request_id}, {"reason", verified.reason}});
      if (verified.expired) {
        return Unauthenticated(*out,
                               std::string(kChallenge) + ", error=\"invalid_token\", error_description=\"expired\"",
                               "the access token has expired; sign in again");
      }
      return Unauthenticated(*out, std::string(kChallenge) + ", error=\"invalid_token\"", "the access token is invalid");
    }
    if (role && verified.principal->role != *role) {
      out->AddHeader("WWW-Authenticate", std::string(kChallenge) + ", error=\"insufficient_scope\"");
      return out->SendProblem({403, "forbidden", "Forbidden",
                               "this route is for " + std::string(accounts::RoleName(*role)) + " accounts", {}});
    }
    // The account's own bucket, now that it is known (429 when it is empty).
    if (!http::ChargeAccount(request, verified.principal->account_id, *out)) return;
    handler(request, *verified.principal, std::move(out));
  };
}

}  // namespace storefront::gateway::auth

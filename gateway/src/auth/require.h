// Authentication as a decorator: a protected route is any handler wrapped by RequireAuth, so no
// handler parses headers or checks tokens itself (STYLE.md: cross-cutting concerns once).
//
//   router.Add(Method::Get, "/api/v1/cart",
//              auth::RequireAuth(verifier, std::nullopt, [](const http::Request& request,
//                                                             const auth::Principal& who, auto out) {...}));
//
// The token is checked in process (HMAC-SHA256, microseconds), on the reactor thread: no network
// hop and no database read per request. Answers, as RFC 6750 §3 describes:
//   no Authorization header, or another scheme     401, WWW-Authenticate: Bearer realm="storefront"
//   a malformed, forged or expired bearer token    401, ... error="invalid_token"
//   a valid token without the required role        403, ... error="insufficient_scope"
//   the account's rate-limit bucket is empty        429 with Retry-After (http/rate_limit.h)
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "http/handler.h"

namespace storefront::gateway::auth {

using AuthedHandler =
    std::function<void(const http::Request&, const Principal&, std::shared_ptr<http::Responder>)>;

// `role` nullopt: any signed-in account (shopper routes); Role::kOperator: operators only.
http::Handler RequireAuth(std::shared_ptr<const TokenVerifier> verifier, std::optional<accounts::Role> role,
                          AuthedHandler handler);

// The token of an "Authorization: Bearer <token>" value (scheme case-insensitive, RFC 7235;
// token68 syntax, RFC 6750 §2.1); nullopt for anything else.
std::optional<std::string> ParseBearer(std::string_view authorization);

}  // namespace storefront::gateway::auth

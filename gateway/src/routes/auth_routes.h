// Account routes: register, log in, and who am I.
//
//   POST /api/v1/auth/register  {"email","password","name"} -> 201 {"id","email","name","role"}
//   POST /api/v1/auth/login     {"email","password"}        -> 200 {"access_token","token_type","expires_in"}
//   GET  /api/v1/auth/me        Authorization: Bearer ...   -> 200 {"id","email","role"}
//
// Register and login validate on the reactor thread, then run on the blocking pool (argon2id and
// the database); /me is answered from the verified token alone. Login asks the failed sign-in
// throttle (http::LoginThrottle) before any hash is computed, so a refused guess costs no CPU.
#pragma once

#include <memory>

#include "accounts/accounts.h"
#include "auth/jwt.h"
#include "http/blocking_pool.h"
#include "http/handler.h"
#include "http/rate_limit.h"

namespace storefront::gateway::routes {

struct AuthServices {
  std::shared_ptr<accounts::Accounts> accounts;
  std::shared_ptr<const auth::TokenIssuer> issuer;
  std::shared_ptr<const auth::TokenVerifier> verifier;
  std::shared_ptr<http::BlockingPool> workers;
  std::shared_ptr<http::LoginThrottle> login_throttle;  // null: failed sign-ins are not counted
};

// Only registers the routes: `services` may be empty (the OpenAPI test lists routes that way).
void AddAuthRoutes(http::GatewayRouter& router, AuthServices services);

}  // namespace storefront::gateway::routes

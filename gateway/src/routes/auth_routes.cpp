#include "routes/auth_routes.h"

#include "accounts/validation.h"
#include "auth/require.h"
#include "http/json_fields.h"
#include "routes/kit.h"
#include "shared/log/log.h"

namespace storefront::gateway::routes {
namespace {

nlohmann::json AccountJson(const accounts::Account& account) {
  return {{"id", account.id},
          {"email", account.email},
          {"name", account.name},
          {"role", std::string(accounts::RoleName(account.role))}};
}

void Register(const AuthServices& services, const http::Request& request, std::shared_ptr<http::Responder> out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string email = body.Verbatim("email");
  std::string password = body.Verbatim("password");
  std::string name = body.Verbatim("name");
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  accounts::NewAccount account;
  try {
    account = accounts::ValidateRegistration(email, password, name);
  } catch (const InvalidArgument& error) {
    return out->SendProblem(http::FromDomainError(error));
  }
  http::RunBlocking(*services.workers, out, [accounts = services.accounts, account = std::move(account), out] {
    auto created = accounts->Register(account);
    log::Info("account registered", {{"request_id", out->request_id()}, {"account_id", created.id}});
    out->Json(Code::Created, AccountJson(created));
  });
}

// 429 for a sign-in the throttle refused, logged with who was tried from where (never the password).
void RefuseThrottled(const http::LoginThrottle& throttle, const http::LoginThrottle::Attempt& attempt,
                     const std::string& email, const std::string& address, http::Responder& out) {
  const auto& policy = attempt.refused_by();
  log::Warn("sign-in throttled", {{"request_id", out.request_id()},
                                  {"email", email.substr(0, 256)},
                                  {"address", address},
                                  {"policy", policy.name},
                                  {"retry_after_s", attempt.decision().reset.count()}});
  std::string retry = "try again in " + std::to_string(attempt.decision().reset.count()) + " s";
  std::string detail = "too many failed sign-ins from this address; " + retry;
  if (&policy == &throttle.pair_policy()) {
    detail = "too many failed sign-ins for this email from this address; " + retry;
  }
  if (&policy == &throttle.email_policy()) {
    detail = "too many failed sign-ins for this email; " + retry + ", or from an address you signed in from before";
  }
  http::SendRateLimited(out, policy, attempt.decision(), std::move(detail));
}

void AnswerTokens(const AuthServices& services, const accounts::Account& account, const accounts::Session& session,
                  http::Responder& out);

void Login(const AuthServices& services, const http::Request& request, std::shared_ptr<http::Responder> out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string typed_email = body.Verbatim("email");
  std::string password = body.Verbatim("password");
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  http::RunBlocking(*services.workers, out, [services, typed_email = std::move(typed_email),
                                             password = std::move(password), address = request.client_address, out] {
    // Before the hash: a guess the throttle refuses costs no CPU.
    std::optional<http::LoginThrottle::Attempt> attempt;
    const std::string email = accounts::NormalizeEmail(typed_email);
    if (services.login_throttle) {
      attempt.emplace(services.login_throttle->Begin(email, address));
      if (!attempt->allowed()) return RefuseThrottled(*services.login_throttle, *attempt, email, address, *out);
    }
    auto account = services.accounts->Login(typed_email, password);
    // A password changed between the check and the session refuses the sign-in like a wrong one.
    std::optional<accounts::Session> session;
    if (account) session = services.accounts->StartSession(*account);
    if (!account || !session) {
      if (attempt) attempt->Failed();
      log::Info("sign-in refused", {{"request_id", out->request_id()}});
      out->AddHeader("WWW-Authenticate", "Bearer realm=\"storefront\"");
      return out->SendProblem(
          {401, "invalid-credentials", "Invalid credentials", "the email or password is incorrect", {}});
    }
    if (attempt) attempt->Succeeded();
    log::Info("signed in", {{"request_id", out->request_id()}, {"account_id", account->id}});
    AnswerTokens(services, *account, *session, *out);
  });
}

// 200 with a new access token and the session's next refresh token.
void AnswerTokens(const AuthServices& services, const accounts::Account& account, const accounts::Session& session,
                  http::Responder& out) {
  auto issued = services.issuer->Issue(account);
  // RFC 6749 §5.1: a response carrying a token must not be cached.
  out.AddHeader("Cache-Control", "no-store");
  out.AddHeader("Pragma", "no-cache");
  out.Json(Code::Ok, {{"access_token", issued.access_token},
                      {"token_type", "Bearer"},
                      {"expires_in", issued.expires_in.count()},
                      {"refresh_token", session.refresh_token},
                      {"refresh_expires_in", session.expires_in.count()}});
}

// The refresh token of a refresh or logout body, or nullopt after answering 400.
std::optional<std::string> RefreshToken(const http::Request& request, http::Responder& out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string token = body.Verbatim("refresh_token");
  if (!errors.empty()) {
    out.SendProblem(Invalid(std::move(errors)));
    return std::nullopt;
  }
  return token;
}

void Refresh(const AuthServices& services, const http::Request& request, std::shared_ptr<http::Responder> out) {
  auto token = RefreshToken(request, *out);
  if (!token) return;
  http::RunBlocking(*services.workers, out, [services, token = std::move(*token), out] {
    auto refreshed = services.accounts->Refresh(token);
    if (refreshed.outcome == accounts::RefreshOutcome::kRotated) {
      return AnswerTokens(services, *refreshed.account, refreshed.session, *out);
    }
    std::string detail = "the refresh token is unknown, expired or revoked; sign in again";
    if (refreshed.outcome == accounts::RefreshOutcome::kReused) {
      // Two parties held the session: one of them is not its owner.
      log::Warn("refresh token reused: session ended", {{"request_id", out->request_id()}});
      detail = "this refresh token was used before, so its session has ended everywhere; sign in again";
    }
    out->SendProblem({401, "invalid-refresh-token", "Invalid refresh token", std::move(detail), {}});
  });
}

void Logout(const AuthServices& services, const http::Request& request, std::shared_ptr<http::Responder> out) {
  auto token = RefreshToken(request, *out);
  if (!token) return;
  http::RunBlocking(*services.workers, out, [services, token = std::move(*token), out] {
    services.accounts->Logout(token);
    out->JsonText(Code::No_Content, "");
  });
}

void ChangePassword(const AuthServices& services, const http::Request& request, const auth::Principal& who,
                    std::shared_ptr<http::Responder> out) {
  Errors errors;
  http::JsonFields body(Body(request), "", errors);
  std::string current_password = body.Verbatim("current_password");
  std::string new_password = body.Verbatim("new_password");
  if (!errors.empty()) return out->SendProblem(Invalid(std::move(errors)));
  if (auto problem = accounts::CheckPassword(new_password); !problem.empty()) {
    return out->SendProblem(Invalid({{"new_password", problem}}));
  }
  http::RunBlocking(*services.workers, out, [services, who, current_password = std::move(current_password),
                                             new_password = std::move(new_password), address = request.client_address,
                                             out] {
    // A stolen access token must not become a way to guess the password: the sign-in throttle counts these too.
    std::optional<http::LoginThrottle::Attempt> attempt;
    if (services.login_throttle) {
      attempt.emplace(services.login_throttle->Begin(who.email, address));
      if (!attempt->allowed()) return RefuseThrottled(*services.login_throttle, *attempt, who.email, address, *out);
    }
    switch (services.accounts->ChangePassword(who.account_id, current_password, new_password)) {
      case accounts::PasswordChange::kChanged:
        if (attempt) attempt->Succeeded();
        log::Info("password changed; every session ended", {{"request_id", out->request_id()}, {"account_id", who.account_id}});
        return out->JsonText(Code::No_Content, "");
      case accounts::PasswordChange::kWrongPassword:
        if (attempt) attempt->Failed();
        return out->SendProblem({403, "wrong-password", "Wrong password", "the current password is incorrect", {}});
      case accounts::PasswordChange::kNoAccount:
        return out->SendProblem({401, "unauthenticated", "Unauthenticated", "the account no longer exists", {}});
    }
  });
}

void Me(const http::Request&, const auth::Principal& principal, std::shared_ptr<http::Responder> out) {
  out->Json(Code::Ok, {{"id", principal.account_id},
                       {"email", principal.email},
                       {"role", std::string(accounts::RoleName(principal.role))}});
}

}  // namespace

void AddAuthRoutes(http::GatewayRouter& router, AuthServices services) {
  router.Add(Method::Post, "/api/v1/auth/register",
             [services](const http::Request& r, std::shared_ptr<http::Responder> out) { Register(services, r, out); });
  router.Add(Method::Post, "/api/v1/auth/login",
             [services](const http::Request& r, std::shared_ptr<http::Responder> out) { Login(services, r, out); });
  router.Add(Method::Post, "/api/v1/auth/refresh",
             [services](const http::Request& r, std::shared_ptr<http::Responder> out) { Refresh(services, r, out); });
  router.Add(Method::Post, "/api/v1/auth/logout",
             [services](const http::Request& r, std::shared_ptr<http::Responder> out) { Logout(services, r, out); });
  router.Add(Method::Get, "/api/v1/auth/me", auth::RequireAuth(services.verifier, std::nullopt, Me));
  router.Add(Method::Post, "/api/v1/auth/password",
             auth::RequireAuth(services.verifier, std::nullopt,
                               [services](const http::Request& r, const auth::Principal& who,
                                          std::shared_ptr<http::Responder> out) { ChangePassword(services, r, who, out); }));
}

}  // namespace storefront::gateway::routes

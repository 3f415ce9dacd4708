#include "routes/auth_routes.h"

#include <map>

#include "accounts/validation.h"
#include "auth/require.h"
#include "shared/log/log.h"

namespace storefront::gateway::routes {
namespace {

using Pistache::Http::Code;
using Pistache::Http::Method;

nlohmann::json AccountJson(const accounts::Account& account) {
  return {{"id", account.id},
          {"email", account.email},
          {"name", account.name},
          {"role", std::string(accounts::RoleName(account.role))}};
}

// The string members `names` of the JSON object body, or nullopt after answering 400 with one
// error per missing or mistyped field.
std::optional<std::map<std::string, std::string>> StringFields(const http::Request& request,
                                                               std::initializer_list<const char*> names,
                                                               http::Responder& out) {
  std::map<std::string, std::string> values;
  std::vector<http::FieldError> errors;
  const bool is_object = request.json && request.json->is_object();
  for (const char* name : names) {
    const nlohmann::json* value = nullptr;
    if (is_object) {
      auto it = request.json->find(name);
      if (it != request.json->end() && !it->is_null()) value = &*it;
    }
    if (value == nullptr) {
      errors.push_back({name, "is required"});
    } else if (!value->is_string()) {
      errors.push_back({name, "must be a string"});
    } else {
      values[name] = value->get<std::string>();
    }
  }
  if (errors.empty()) return values;
  std::string detail = is_object ? "" : "the body must be a JSON object; ";
  for (std::size_t i = 0; i < errors.size(); ++i) detail += (i ? "; " : "") + errors[i].field + ": " + errors[i].detail;
  out.SendProblem(http::BadRequest(std::move(detail), std::move(errors)));
  return std::nullopt;
}

void Register(const AuthServices& services, const http::Request& request, std::shared_ptr<http::Responder> out) {
  auto fields = StringFields(request, {"email", "password", "name"}, *out);
  if (!fields) return;
  accounts::NewAccount account;
  try {
    account = accounts::ValidateRegistration(fields->at("email"), fields->at("password"), fields->at("name"));
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
  auto fields = StringFields(request, {"email", "password"}, *out);
  if (!fields) return;
  http::RunBlocking(*services.workers, out, [services, fields = std::move(*fields), address = request.client_address,
                                             out] {
    // Before the hash: a guess the throttle refuses costs no CPU.
    std::optional<http::LoginThrottle::Attempt> attempt;
    const std::string email = accounts::NormalizeEmail(fields.at("email"));
    if (services.login_throttle) {
      attempt.emplace(services.login_throttle->Begin(email, address));
      if (!attempt->allowed()) return RefuseThrottled(*services.login_throttle, *attempt, email, address, *out);
    }
    auto account = services.accounts->Login(fields.at("email"), fields.at("password"));
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

void Refresh(const AuthServices& services, const http::Request& request, std::shared_ptr<http::Responder> out) {
  auto fields = StringFields(request, {"refresh_token"}, *out);
  if (!fields) return;
  http::RunBlocking(*services.workers, out, [services, token = fields->at("refresh_token"), out] {
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
  auto fields = StringFields(request, {"refresh_token"}, *out);
  if (!fields) return;
  http::RunBlocking(*services.workers, out, [services, token = fields->at("refresh_token"), out] {
    services.accounts->Logout(token);
    out->JsonText(Code::No_Content, "");
  });
}

void ChangePassword(const AuthServices& services, const http::Request& request, const auth::Principal& who,
                    std::shared_ptr<http::Responder> out) {
  auto fields = StringFields(request, {"current_password", "new_password"}, *out);
  if (!fields) return;
  if (auto problem = accounts::CheckPassword(fields->at("new_password")); !problem.empty()) {
    return out->SendProblem(http::BadRequest("new_password: " + problem, {{"new_password", problem}}));
  }
  http::RunBlocking(*services.workers, out, [services, who, fields = std::move(*fields),
                                             address = request.client_address, out] {
    // A stolen access token must not become a way to guess the password: the sign-in throttle counts these too.
    std::optional<http::LoginThrottle::Attempt> attempt;
    if (services.login_throttle) {
      attempt.emplace(services.login_throttle->Begin(who.email, address));
      if (!attempt->allowed()) return RefuseThrottled(*services.login_throttle, *attempt, who.email, address, *out);
    }
    switch (services.accounts->ChangePassword(who.account_id, fields.at("current_password"), fields.at("new_password"))) {
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

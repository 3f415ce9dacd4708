#include "routes/kit.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "shared/types/money.h"
#include "shared/types/uuid.h"

namespace storefront::gateway::routes {

const std::string* Query(const http::Request& request, const std::string& name) {
  auto it = request.query.find(name);
  return it == request.query.end() || it->second.empty() ? nullptr : &it->second;
}

std::optional<std::int64_t> ParseInteger(const std::string& text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> Limit(const http::Request& request, int max, Errors& errors) {
  const auto* text = Query(request, "limit");
  if (text == nullptr) return std::nullopt;
  auto value = ParseInteger(*text);
  if (!value || *value < 1 || *value > max) {
    errors.push_back({"limit", "must be an integer between 1 and " + std::to_string(max)});
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::optional<std::string> PathUuid(const http::Request& request, const std::string& name, const std::string& what,
                                    http::Responder& out) {
  const std::string& id = request.params.at(name);
  if (types::IsUuid(id)) return id;
  out.SendProblem(http::NotFound("no " + what + " " + id.substr(0, 64)));
  return std::nullopt;
}

std::optional<std::string> PathUuid(const http::Request& request, const std::string& name,
                                    const http::Problem& not_found, http::Responder& out) {
  const std::string& id = request.params.at(name);
  if (types::IsUuid(id)) return id;
  out.SendProblem(not_found);
  return std::nullopt;
}

std::optional<std::string> IdempotencyKey(const http::Request& request, bool required, Errors& errors) {
  const std::string key = request.Header("idempotency-key");
  if (key.empty() && !required) return std::nullopt;
  bool ok = !key.empty() && key.size() <= 128 &&
            std::all_of(key.begin(), key.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  if (!ok) {
    errors.push_back({"Idempotency-Key", std::string(required ? "header is required: " : "header must be ") +
                                             "1 to 128 visible ASCII characters"});
    return std::nullopt;
  }
  return key;
}

const nlohmann::json* Body(const http::Request& request) { return request.json ? &*request.json : nullptr; }

void MoneyFields(http::JsonFields money, const std::string& path, storefront::common::v1::Money* out,
                 std::int64_t min, Errors& errors) {
  // Any int64 from `min` up: the ceiling on a price or an amount is the owning service's rule.
  out->set_amount_minor(money.Integer("amount_minor", min, std::numeric_limits<std::int64_t>::max()));
  std::string currency = money.String("currency", 3, 3);
  if (!currency.empty() && !types::IsCurrency(currency)) {
    errors.push_back({path + ".currency", "must be a three-letter ISO 4217 code such as USD"});
  }
  out->set_currency(currency);
}

namespace internal {

bool IsLowerCase(const std::string& text) {
  return std::none_of(text.begin(), text.end(), [](unsigned char c) { return std::isupper(c); });
}

std::string UpperCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

}  // namespace internal

http::Problem Invalid(Errors errors) {
  std::string detail = http::Summarize(errors);
  return http::BadRequest(detail, std::move(errors));
}

nlohmann::json MoneyJson(const storefront::common::v1::Money& money) {
  return {{"amount_minor", money.amount_minor()}, {"currency", money.currency()}};
}

std::string EnumName(const std::string& full, const std::string& prefix) {
  std::string name = full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

nlohmann::json TimeJson(const google::protobuf::Timestamp& at, bool present) {
  return present ? nlohmann::json(google::protobuf::util::TimeUtil::ToString(at)) : nlohmann::json(nullptr);
}

}  // namespace storefront::gateway::routes

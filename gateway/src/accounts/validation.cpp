#include "accounts/validation.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace storefront::gateway::accounts {
namespace {

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view TrimAscii(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

// The code points of `text`, or nullopt when it is not valid UTF-8 (overlong forms, surrogates
// and values past U+10FFFF included).
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    int extra = byte < 0x80 ? 0 : (byte >> 5) == 0x6 ? 1 : (byte >> 4) == 0xe ? 2 : (byte >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size()) return std::nullopt;
    char32_t value = extra == 0 ? byte : byte & (0x3f >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next >> 6) != 0x2) return std::nullopt;
      value = (value << 6) | (next & 0x3f);
    }
    static constexpr char32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (value < kSmallest[extra] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return std::nullopt;
    out.push_back(value);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7f && c <= 0x9f); }

bool IsAtext(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr);
}

bool IsDotAtom(std::string_view text, bool (*allowed)(char)) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.') {
      if (text[i + 1] == '.') return false;  // i + 1 < size: the last character is not a dot
    } else if (!allowed(text[i])) {
      return false;
    }
  }
  return true;
}

bool IsDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  std::string out(TrimAscii(email));
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string CheckEmail(std::string_view email) {
  if (email.empty()) return "must not be empty";
  if (email.size() > kMaxEmailLength) return "must be at most " + std::to_string(kMaxEmailLength) + " characters";
  auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return "must be an email address such as name@example.com";
  }
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local.size() > 64 || !IsDotAtom(local, IsAtext)) return "must be an email address such as name@example.com";
  std::size_t labels = 0;
  std::size_t start = 0;
  while (true) {
    auto end = domain.find('.', start);
    if (!IsDomainLabel(domain.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start))) {
      return "must be an email address such as name@example.com";
    }
    ++labels;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (labels < 2) return "must be an email address such as name@example.com";
  return {};
}

std::string CheckPassword(std::string_view password) {
  auto code_points = DecodeUtf8(password);
  if (!code_points) return "must be valid UTF-8";
  if (code_points->size() < kMinPasswordLength || code_points->size() > kMaxPasswordLength) {
    return "must be between " + std::to_string(kMinPasswordLength) + " and " + std::to_string(kMaxPasswordLength) +
           " characters";
  }
  return {};
}

std::string CheckName(std::string_view name) {
  auto code_points = DecodeUtf8(name);
  if (!code_points) return "must be valid UTF-8";
  if (code_points->empty() || code_points->size() > kMaxNameLength) {
    return "must be between 1 and " + std::to_string(kMaxNameLength) + " characters";
  }
  for (char32_t c : *code_points) {
    if (IsControl(c)) return "must not contain control characters";
  }
  return {};
}

NewAccount ValidateRegistration(std::string_view email, std::string_view password, std::string_view name) {
  NewAccount account{NormalizeEmail(email), std::string(password), std::string(TrimAscii(name))};
  Violations violations;
  if (auto problem = CheckEmail(account.email); !problem.empty()) violations.Add("email", problem);
  if (auto problem = CheckPassword(account.password); !problem.empty()) violations.Add("password", problem);
  if (auto problem = CheckName(account.name); !problem.empty()) violations.Add("name", problem);
  violations.ThrowIfAny();
  return account;
}

}  // namespace storefront::gateway::accounts

// Small, strict decoders for what arrives over HTTP.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace storefront::gateway::http {

// Decodes %XX escapes and '+' (as a space, in query strings). nullopt on a malformed escape
// or a decoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// True when `text` is valid UTF-8.
bool IsValidUtf8(std::string_view text);

struct JsonLimits {
  int max_depth = 32;
};

// Parses a request body. Rejects (with a reason for the problem detail) anything that is not
// one JSON value nested at most max_depth deep, checked before nlohmann builds the tree, so a
// body of 60 000 '[' costs a scan, not a recursion.
struct JsonParseResult {
  std::optional<nlohmann::json> value;
  std::string error;
};
JsonParseResult ParseJsonBody(std::string_view body, const JsonLimits& limits = {});

}  // namespace storefront::gateway::http

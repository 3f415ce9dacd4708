// Field-by-field reading of a JSON request body: each accessor records a FieldError naming the
// field when it is missing or wrong, so one 400 lists every problem at once.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/problem.h"

namespace storefront::gateway::http {

class JsonFields {
 public:
  // `body` may be null or not an object; then every field is missing. `prefix` names nested
  // objects in errors ("shipping_address.city").
  JsonFields(const nlohmann::json* body, std::string prefix, std::vector<FieldError>& errors);

  // `multiline` lets newlines, carriage returns and tabs through (descriptions, notes); other
  // control characters are refused either way.
  std::string String(const std::string& name, std::size_t min_length, std::size_t max_length, bool required = true,
                     bool multiline = false);
  // A required string taken exactly as sent, whatever its length or characters: for values whose
  // rules belong to whoever reads them next (a password, a refresh token), so they are not re-typed here.
  std::string Verbatim(const std::string& name);
  std::int64_t Integer(const std::string& name, std::int64_t min, std::int64_t max);
  bool Boolean(const std::string& name);
  // A nested object; records an error when missing or not an object.
  JsonFields Object(const std::string& name);
  // True when the body has the field with a non-null value: how optional fields (and PATCH
  // bodies) are read, `if (body.Has("price")) ...`.
  bool Has(const std::string& name) { return Find(name) != nullptr; }
  // The body's member names, for refusing ones a request does not take.
  std::vector<std::string> Names() const;

 private:
  const nlohmann::json* Find(const std::string& name);
  std::string Path(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "." + name; }

  const nlohmann::json* body_;
  std::string prefix_;
  std::vector<FieldError>& errors_;
};

// "quantity: must be ..." joined, for the problem's detail.
std::string Summarize(const std::vector<FieldError>& errors);

}  // namespace storefront::gateway::http

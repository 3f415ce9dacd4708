#include "http/json_fields.h"

#include "http/codec.h"

namespace storefront::gateway::http {

JsonFields::JsonFields(const nlohmann::json* body, std::string prefix, std::vector<FieldError>& errors)
    : body_(body != nullptr && body->is_object() ? body : nullptr), prefix_(std::move(prefix)), errors_(errors) {}

const nlohmann::json* JsonFields::Find(const std::string& name) {
  if (body_ == nullptr) return nullptr;
  auto it = body_->find(name);
  if (it == body_->end() || it->is_null()) return nullptr;
  return &*it;
}

std::string JsonFields::String(const std::string& name, std::size_t min_length, std::size_t max_length,
                               bool required, bool multiline) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) {
    if (required) errors_.push_back({Path(name), "is required"});
    return {};
  }
  if (!value->is_string()) {
    errors_.push_back({Path(name), "must be a string"});
    return {};
  }
  std::string text = value->get<std::string>();
  bool control = false;
  for (unsigned char c : text) {
    const bool allowed = multiline && (c == '\n' || c == '\r' || c == '\t');
    control = control || ((c < 0x20 || c == 0x7f) && !allowed);
  }
  if (text.size() < min_length || text.size() > max_length || control || !IsValidUtf8(text)) {
    errors_.push_back({Path(name), "must be " + std::to_string(min_length) + " to " + std::to_string(max_length) +
                                       " characters of text"});
    return {};
  }
  return text;
}

std::string JsonFields::Verbatim(const std::string& name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) {
    errors_.push_back({Path(name), "is required"});
    return {};
  }
  if (!value->is_string()) {
    errors_.push_back({Path(name), "must be a string"});
    return {};
  }
  return value->get<std::string>();
}

std::int64_t JsonFields::Integer(const std::string& name, std::int64_t min, std::int64_t max) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) {
    errors_.push_back({Path(name), "is required"});
    return 0;
  }
  if (!value->is_number_integer()) {
    errors_.push_back({Path(name), "must be an integer"});
    return 0;
  }
  // Unsigned values past int64 arrive as number_unsigned; treat them as out of range.
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    errors_.push_back({Path(name), "must be between " + std::to_string(min) + " and " + std::to_string(max)});
    return 0;
  }
  std::int64_t number = value->get<std::int64_t>();
  if (number < min || number > max) {
    errors_.push_back({Path(name), "must be between " + std::to_string(min) + " and " + std::to_string(max)});
    return 0;
  }
  return number;
}

bool JsonFields::Boolean(const std::string& name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) {
    errors_.push_back({Path(name), "is required"});
    return false;
  }
  if (!value->is_boolean()) {
    errors_.push_back({Path(name), "must be true or false"});
    return false;
  }
  return value->get<bool>();
}

std::vector<std::string> JsonFields::Names() const {
  std::vector<std::string> names;
  if (body_ == nullptr) return names;
  for (const auto& [key, value] : body_->items()) names.push_back(key);
  return names;
}

JsonFields JsonFields::Object(const std::string& name) {
  const nlohmann::json* value = Find(name);
  if (value == nullptr) errors_.push_back({Path(name), "is required"});
  else if (!value->is_object()) errors_.push_back({Path(name), "must be an object"});
  return JsonFields(value, Path(name), errors_);
}

std::string Summarize(const std::vector<FieldError>& errors) {
  std::string text;
  for (const auto& e : errors) text += (text.empty() ? "" : "; ") + e.field + ": " + e.detail;
  return text;
}

}  // namespace storefront::gateway::http

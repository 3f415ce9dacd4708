// Errors a use case can raise, independent of any transport.
//
// The domain throws these; the gRPC layer maps them to status codes once
// (storefront::rpc::ToStatus), and the gateway maps status codes to HTTP problem details.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace storefront {

struct FieldViolation {
  std::string field;
  std::string description;
};

class DomainError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The request is malformed; names each offending field.
class InvalidArgument : public DomainError {
 public:
  explicit InvalidArgument(std::vector<FieldViolation> violations)
      : DomainError(Describe(violations)), violations_(std::move(violations)) {}
  InvalidArgument(std::string field, std::string description)
      : InvalidArgument(std::vector<FieldViolation>{{std::move(field), std::move(description)}}) {}
  const std::vector<FieldViolation>& violations() const { return violations_; }
  // The fields named, in order: what a test of a validation rule compares.
  std::vector<std::string> fields() const {
    std::vector<std::string> names;
    for (const auto& v : violations_) names.push_back(v.field);
    return names;
  }

 private:
  static std::string Describe(const std::vector<FieldViolation>& violations) {
    std::string text;
    for (const auto& v : violations) text += (text.empty() ? "" : "; ") + v.field + ": " + v.description;
    return text;
  }
  std::vector<FieldViolation> violations_;
};

class NotFound : public DomainError {
 public:
  using DomainError::DomainError;
};

class AlreadyExists : public DomainError {
 public:
  using DomainError::DomainError;
};

// The request is well-formed but the current state forbids it.
class FailedPrecondition : public DomainError {
 public:
  using DomainError::DomainError;
};

// The operation conflicts with one already in progress (e.g. the same idempotency key).
class Aborted : public DomainError {
 public:
  using DomainError::DomainError;
};

// A dependency (database, another service) is unavailable; retrying later may work.
class Unavailable : public DomainError {
 public:
  using DomainError::DomainError;
};

// The caller's deadline passed (or it hung up) before the work could be done: a kind of
// Unavailable, so whatever treats an outage as "try again later" treats this the same way.
class DeadlineExceeded : public Unavailable {
 public:
  using Unavailable::Unavailable;
};

// Collects violations while validating a request; throws them all at once.
class Violations {
 public:
  void Add(std::string field, std::string description) {
    list_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return list_.empty(); }
  // The fields named so far, in order.
  std::vector<std::string> fields() const { return InvalidArgument(list_).fields(); }
  void ThrowIfAny() const {
    if (!list_.empty()) throw InvalidArgument(list_);
  }

 private:
  std::vector<FieldViolation> list_;
};

}  // namespace storefront

// Rules for what a shopper may type when registering, each violation naming its field.
//
// Validation happens on the reactor thread before any slow work is queued, so invalid input never
// costs an argon2id hash or a database round trip.
#pragma once

#include <string>
#include <string_view>

#include "accounts/account.h"
#include "shared/errors/errors.h"

namespace storefront::gateway::accounts {

inline constexpr std::size_t kMaxEmailLength = 254;  // RFC 5321's path limit minus the brackets
inline constexpr std::size_t kMinPasswordLength = 8;  // characters (code points), NIST SP 800-63B
inline constexpr std::size_t kMaxPasswordLength = 128;
inline constexpr std::size_t kMaxNameLength = 100;

// Trims ASCII whitespace and lower-cases ASCII letters: the form emails are stored and looked
// up in, so "  Ada@Example.COM " and "ada@example.com" are one account.
std::string NormalizeEmail(std::string_view email);

// Each returns an empty string when the value is acceptable, else what is wrong with it.
// `email` must already be normalised. Emails are ASCII addr-spec (dot-atom local part, a domain
// of at least two DNS labels): what browsers' type=email accept, without quoted local parts,
// IP-literal domains or internationalised addresses.
std::string CheckEmail(std::string_view email);
std::string CheckPassword(std::string_view password);
// `name` must already be trimmed.
std::string CheckName(std::string_view name);

// Normalises and checks a registration; throws InvalidArgument naming every invalid field.
NewAccount ValidateRegistration(std::string_view email, std::string_view password, std::string_view name);

}  // namespace storefront::gateway::accounts

// Rules for the text fields several services check the same way: control characters, bounded
// required and optional text, and the customer id every service receives from the gateway.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "shared/errors/errors.h"

namespace storefront::types {

inline constexpr std::size_t kMaxCustomerIdLength = 64;

// True when `text` holds a C0 control character or DEL that is not in `allowed` (for example
// "\n\t" for a free-text note).
bool HasControlCharacters(std::string_view text, std::string_view allowed = {});

// 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_': the account ids the gateway sends as
// customer_id (UUIDs), and the ids tests and tools use.
bool IsCustomerId(std::string_view text);
void ValidateCustomerId(std::string_view customer_id, Violations& violations);

// A stock-keeping unit: 3 to 32 characters of A-Z, 0-9 and '-'. The catalog assigns them; shipping
// prints them on packing slips and its schema checks the same pattern.
bool IsSku(std::string_view text);

// A required field: 1 to `max` bytes, not only spaces, no control characters.
void RequiredText(std::string_view value, std::size_t max, const std::string& field, Violations& violations);
// An optional field: at most `max` bytes, no control characters.
void OptionalText(std::string_view value, std::size_t max, const std::string& field, Violations& violations);

}  // namespace storefront::types

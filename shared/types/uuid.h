// UUIDs as the store writes them: ids of products, orders, payments, shipments, events, ...
// PostgreSQL's uuid columns accept either case and return lower case, so ids are normalised to
// lower case before they are compared as strings.
#pragma once

#include <string>
#include <string_view>

namespace storefront::types {

// True for 8-4-4-4-12 hex digits, either case: what a uuid column accepts from us.
bool IsUuid(std::string_view text);

// The lower-case form PostgreSQL returns. Expects IsUuid(text); other text is only lower-cased.
std::string NormalizeUuid(std::string_view text);

// A random (version 4) UUID from libsodium's CSPRNG, lower case.
std::string NewUuid();

// 16 bytes shaped as a version-4 UUID (version and variant bits set), lower case: from a hash,
// the same bytes always give the same id (a key derived from other keys).
std::string UuidFromBytes(const unsigned char (&bytes)[16]);

}  // namespace storefront::types

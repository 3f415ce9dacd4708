// Digests in lower-case hex, for ids and fingerprints derived from text. Several are stored or
// handed out (migration checksums, payment and order fingerprints, cursors, ETags, key ids), so
// what a given input hashes to never changes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace storefront::types {

// SHA-256 of `data`: 64 hex characters.
std::string Sha256Hex(std::string_view data);

// BLAKE2b (libsodium's generic hash, unkeyed) of `data` with a digest of `bytes` bytes (1 to 64):
// 2 * bytes hex characters.
std::string Blake2bHex(std::string_view data, std::size_t bytes);

}  // namespace storefront::types

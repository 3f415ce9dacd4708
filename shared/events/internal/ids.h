// Event ids: random (version 4) UUIDs, in PostgreSQL's canonical text form.
#pragma once

#include <string>
#include <string_view>

namespace storefront::events::internal {

// "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lowercase, from libsodium's CSPRNG.
std::string NewUuidV4();

// True for 8-4-4-4-12 hex digits (either case): what a uuid column accepts from us.
bool IsUuid(std::string_view text);

}  // namespace storefront::events::internal

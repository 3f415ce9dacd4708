#include "shared/db/statement.h"

#include <cstdint>
#include <cstdio>

namespace storefront::db::internal {

std::string StatementName(const std::string& sql) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : sql) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char name[3 + 16 + 1];
  std::snprintf(name, sizeof name, "sf_%016llx", static_cast<unsigned long long>(hash));
  return name;
}

}  // namespace storefront::db::internal

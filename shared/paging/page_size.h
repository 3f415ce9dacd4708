// The page size of every list RPC: page_size 0 means the default, 1 to 100 is taken as asked.
// Fields are named as in the protos (page_size, page_token); the gateway names them by its query
// parameters (?limit=, ?cursor=) when it answers a REST client.
#pragma once

#include "shared/errors/errors.h"

namespace storefront::paging {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

// The page size to use for `requested`; a violation named "page_size" (and the default) for a
// negative one or one over kMaxPageSize.
inline int PageSize(int requested, Violations& violations) {
  if (requested < 0 || requested > kMaxPageSize) {
    violations.Add("page_size", "must be between 1 and 100 (0 means 20)");
    return kDefaultPageSize;
  }
  return requested == 0 ? kDefaultPageSize : requested;
}

}  // namespace storefront::paging

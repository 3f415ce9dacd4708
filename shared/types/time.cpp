#include "shared/types/time.h"

namespace storefront::types {

Timestamp SystemNow() { return std::chrono::system_clock::now(); }

std::int64_t ToMicros(Timestamp at) {
  return std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
}

Timestamp FromMicros(std::int64_t micros) {
  return Timestamp(std::chrono::duration_cast<Timestamp::duration>(std::chrono::microseconds(micros)));
}

}  // namespace storefront::types

#include "domain/tracking_number.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace storefront::shipping::domain {

RandomDigits SecureRandomDigits() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  return [](int count) {
    std::string digits(static_cast<std::size_t>(count), '0');
    for (auto& digit : digits) digit = static_cast<char>('0' + randombytes_uniform(10));  // uniform, no modulo bias
    return digits;
  };
}

std::string NewTrackingNumber(std::string_view prefix, const RandomDigits& random) {
  std::string digits = random(kTrackingDigits);
  bool ok = digits.size() == static_cast<std::size_t>(kTrackingDigits) &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) throw std::logic_error("random digit source returned '" + digits.substr(0, 32) + "'");
  return std::string(prefix) + digits;
}

}  // namespace storefront::shipping::domain

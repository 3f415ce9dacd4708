// Tracking numbers: the carrier's prefix and 12 random decimal digits, e.g. "UPS048213395671".
//
// The digits come from an injected source so tests can force a collision; the database's unique
// constraint is the real guarantee, and CreateShipment draws again when it hits one.
#pragma once

#include <string>
#include <string_view>

#include "domain/ports.h"

namespace storefront::shipping::domain {

inline constexpr int kTrackingDigits = 12;

// Digits from the operating system's CSPRNG (libsodium): unguessable, so a tracking number
// cannot be enumerated to find other people's parcels.
RandomDigits SecureRandomDigits();

// prefix + 12 digits from `random`; throws std::logic_error if the source misbehaves.
std::string NewTrackingNumber(std::string_view prefix, const RandomDigits& random);

}  // namespace storefront::shipping::domain

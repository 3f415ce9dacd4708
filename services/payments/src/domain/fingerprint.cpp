#include "domain/fingerprint.h"


#include "shared/types/digest.h"

namespace storefront::payments::domain {

Fingerprint& Fingerprint::Add(std::string_view field) {
  canonical_ += std::to_string(field.size());
  canonical_ += ':';
  canonical_ += field;
  return *this;
}

std::string Fingerprint::Hex() const {
  return types::Sha256Hex(canonical_);
}

}  // namespace storefront::payments::domain

// A request fingerprint: the hex SHA-256 of a request's fields, each length-prefixed so that
// ("ab", "c") and ("a", "bc") differ. Only non-secret fields go in: the card's number and CVC
// never do (an unsalted hash of a card number can be reversed by trying every number).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace storefront::payments::domain {

class Fingerprint {
 public:
  Fingerprint& Add(std::string_view field);
  Fingerprint& Add(std::int64_t field) { return Add(std::string_view(std::to_string(field))); }
  std::string Hex() const;

 private:
  std::string canonical_;
};

}  // namespace storefront::payments::domain

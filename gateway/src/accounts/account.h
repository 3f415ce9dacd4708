// An account of the store: a shopper who signs in to buy, or an operator who runs the store.
// Plain data, shared by the use cases (accounts.h), the repository and the token code (auth/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace storefront::gateway::accounts {

enum class Role { kShopper, kOperator };

// "shopper" / "operator": the spelling in the database and in tokens.
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Account {
  std::string id;  // UUID, assigned by the database
  std::string email;
  std::string name;
  Role role = Role::kShopper;
  std::string password_hash;  // libsodium argon2id string; never leaves the gateway
};

// What registering stores: fields that passed validation (validation.h), normalised.
struct NewAccount {
  std::string email;
  std::string password;
  std::string name;
};

}  // namespace storefront::gateway::accounts

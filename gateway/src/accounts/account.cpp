#include "accounts/account.h"

namespace storefront::gateway::accounts {

std::string_view RoleName(Role role) { return role == Role::kOperator ? "operator" : "shopper"; }

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "shopper") return Role::kShopper;
  if (name == "operator") return Role::kOperator;
  return std::nullopt;
}

}  // namespace storefront::gateway::accounts

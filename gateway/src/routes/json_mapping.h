// Small pieces every route file uses to speak JSON and to call upstreams: money, enum names,
// UUID checks, and the adapter rpc::AsyncCall wants around a stub's async method.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "storefront/common/v1/money.pb.h"

namespace storefront::gateway::routes {

// {"amount_minor": 1299, "currency": "USD"}
nlohmann::json MoneyJson(const storefront::common::v1::Money& money);
// "ORDER_STATUS_PAYMENT_AUTHORIZED" with prefix "ORDER_STATUS_" -> "payment_authorized"
std::string EnumName(const std::string& full, const std::string& prefix);
bool IsUuid(const std::string& text);

}  // namespace storefront::gateway::routes

// The stub call `method` of `client` (a shared_ptr to an rpc::Client), as rpc::AsyncCall wants it.
#define STOREFRONT_CALL(client, method)                                          \
  [client](auto* context, auto* request, auto* response, auto done) {            \
    client->stub().async()->method(context, request, response, std::move(done)); \
  }

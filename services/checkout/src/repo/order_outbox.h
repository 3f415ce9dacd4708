// What checkout announces: an order's pending events appended to checkout.outbox (topic
// storefront.checkout.order.v1, key = order id) inside the transaction that saves the order, so
// an order change is announced if and only if it is stored. The payloads are the contract's
// (api/order_mapping.h).
#pragma once

#include <pqxx/pqxx>

#include "domain/order.h"

namespace storefront::checkout::repo {

void AppendOrderEvents(pqxx::transaction_base& txn, const domain::Order& order);

}  // namespace storefront::checkout::repo

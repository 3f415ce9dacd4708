// For tests: an order as the saga creates it (PENDING, priced, one line of two lamps, no id yet),
// ready for PgOrderRepository::Create or for mapping.
#pragma once

#include <chrono>
#include <string>

#include "domain/order.h"

namespace storefront::checkout::testing {

inline domain::Order SampleOrder(const std::string& key, const std::string& customer = "customer-1") {
  domain::Order o;
  o.customer_id = customer;
  o.customer_email = "ada@example.com";
  o.idempotency_key = key;
  o.request_fingerprint = "fp-" + key;
  o.items = {{"0b6f6a3e-8d52-4c1e-9a0b-2f1f0c7b9a11", "HOM-LP-1", "Lamp", 2, {2500, "USD"}, {5000, "USD"}}};
  o.subtotal = {5000, "USD"};
  o.shipping_price = {599, "USD"};
  o.total = {5599, "USD"};
  o.shipping_address = {"Ada", "1 Road", "", "London", "", "N1 1AA", "GB"};
  o.shipping_option_id = "standard";
  o.card_last4 = "4242";
  o.created_at = o.updated_at = std::chrono::system_clock::now();
  o.steps = {{domain::kStepLoadCart, domain::StepState::kSucceeded, "1 line", o.created_at}};
  o.timeline = {{domain::OrderStatus::kPending, "Order placed", o.created_at}};
  return o;
}

}  // namespace storefront::checkout::testing

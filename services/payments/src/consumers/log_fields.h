// What payments' event handlers log about an event and the payment it acted on.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "domain/payments.h"
#include "shared/events/consumer.h"

namespace storefront::payments::consumers {

inline nlohmann::json LogFields(const storefront::events::Envelope& event, const std::string& order_id,
                                const domain::OrderPaymentResult& result) {
  nlohmann::json fields = {{"event_id", event.event_id()}, {"order_id", order_id}};
  if (result.payment) {
    fields["payment_id"] = result.payment->id;
    fields["status"] = domain::ToString(result.payment->status);
  }
  return fields;
}

}  // namespace storefront::payments::consumers

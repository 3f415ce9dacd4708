#include "repo/order_outbox.h"

#include "api/order_mapping.h"
#include "shared/events/outbox.h"
#include "shared/events/topics.h"

namespace storefront::checkout::repo {

void AppendOrderEvents(pqxx::transaction_base& txn, const domain::Order& order) {
  for (auto event : order.pending_events) {
    auto message = api::ToProto(order, event);
    events::Append(txn, "checkout", "checkout",
                   {std::string(events::kOrderTopic), std::string(message.type), "order", order.id,
                    message.payload.get(), ""});
  }
}

}  // namespace storefront::checkout::repo

#include "repo/order_events.h"

#include <set>
#include <stdexcept>

#include "domain/cart.h"
#include "repo/pg_cart_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::cart::repo {

int ApplyOrderConfirmed(pqxx::work& txn, const events::Envelope& event) {
  const auto order = events::PayloadOf<storefront::events::v1::OrderConfirmed>(event);
  const std::string where = event.event_type() + " " + event.event_id() + ": ";
  if (!domain::IsCustomerId(order.customer_id())) {
    throw std::invalid_argument(where + "customer_id must be 1..64 characters of A-Za-z0-9_-");
  }
  std::set<std::string> products;  // an order names each product once; a set makes sure
  for (int i = 0; i < order.lines_size(); ++i) {
    const auto& id = order.lines(i).product_id();
    if (!domain::IsUuid(id)) {
      throw std::invalid_argument(where + "lines[" + std::to_string(i) + "].product_id must be a UUID");
    }
    products.insert(domain::NormalizeUuid(id));
  }
  const int removed =
      RemoveProductsIn(txn, order.customer_id(), std::vector<std::string>(products.begin(), products.end()));
  log::Info("removed the ordered products from the cart", {{"customer_id", order.customer_id()},
                                                          {"order_id", order.order_id().substr(0, 64)},
                                                          {"lines_removed", removed},
                                                          {"event_id", event.event_id()}});
  return removed;
}

void RegisterOrderHandlers(events::Consumer& consumer) {
  consumer.On(std::string(events::types::kOrderConfirmed),
              [](pqxx::work& txn, const events::Envelope& event) { ApplyOrderConfirmed(txn, event); });
}

}  // namespace storefront::cart::repo

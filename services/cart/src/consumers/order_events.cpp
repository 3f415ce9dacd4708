#include "consumers/order_events.h"

#include <string>
#include <vector>

#include "domain/carts.h"
#include "repo/pg_cart_repository.h"
#include "shared/events/topics.h"
#include "shared/log/log.h"
#include "shared/types/proto.h"
#include "shared/types/text.h"
#include "storefront/events/v1/checkout_events.pb.h"

namespace storefront::cart::consumers {

int OrderEventHandlers::OnOrderConfirmed(pqxx::work& txn, const events::Envelope& event) const {
  const auto order = events::PayloadOf<storefront::events::v1::OrderConfirmed>(event);
  if (!types::IsCustomerId(order.customer_id())) {
    events::Poison(event, "customer_id must be 1..64 characters of A-Za-z0-9_-");
  }
  std::vector<std::string> products;
  for (int i = 0; i < order.lines_size(); ++i) {
    const std::string field = "lines[" + std::to_string(i) + "].product_id";
    products.push_back(events::RequireUuid(event, field, order.lines(i).product_id()));
  }
  repo::PgCartRepository repository(txn);
  domain::Carts carts(repository, catalog_);
  std::optional<types::Timestamp> cart_version;  // none in events of orders from before versions
  if (order.has_cart_version()) {
    cart_version = types::FromProto(order.cart_version());
    if (!cart_version) events::Poison(event, "cart_version is not a time");
  }
  const int removed = carts.RemoveOrderedProducts(order.customer_id(), products, cart_version);
  log::Info("removed the ordered products from the cart", {{"customer_id", order.customer_id()},
                                                          {"order_id", order.order_id().substr(0, 64)},
                                                          {"lines_removed", removed},
                                                          {"event_id", event.event_id()}});
  return removed;
}

void OrderEventHandlers::RegisterOn(events::Consumer& consumer) const {
  consumer.On(std::string(events::types::kOrderConfirmed),
              [this](pqxx::work& txn, const events::Envelope& event) { OnOrderConfirmed(txn, event); });
}

}  // namespace storefront::cart::consumers

// The read model's store over one transaction: the consumer's, which also records the event in
// checkout.inbox, so the change and the inbox row commit together or not at all.
#pragma once

#include <pqxx/pqxx>

#include "domain/ports.h"

namespace storefront::checkout::repo {

class PgOrderTracking final : public domain::OrderTrackingStore {
 public:
  explicit PgOrderTracking(pqxx::work& txn) : txn_(txn) {}

  void SetShipmentStatus(const std::string& order_id, domain::ShipmentStatus status) override;
  void SetPaymentStatus(const std::string& order_id, domain::PaymentStatus status) override;
  bool Advance(const std::string& order_id, const std::vector<domain::OrderStatus>& from, domain::OrderStatus to,
               const std::string& note) override;

 private:
  pqxx::work& txn_;
};

}  // namespace storefront::checkout::repo

// Every component the gateway checks (services, the database, the broker) with its status, and
// the gateway's circuit breaker towards each service when the gateway reports breakers.
#pragma once

#include "app/pages/page.h"
#include "core/health_model.h"

class QLabel;
class QTableView;

namespace storefront::admin {

class HealthPage : public Page {
  Q_OBJECT

 public:
  explicit HealthPage(ApiClient* api, QWidget* parent = nullptr);

  QTableView* view() const { return view_; }

 protected:
  void load() override;

 private:
  HealthModel model_;
  QLabel* overall_;
  QTableView* view_;
};

}  // namespace storefront::admin

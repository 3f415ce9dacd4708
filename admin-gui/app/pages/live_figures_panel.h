// The dashboard's "Live figures" panel: what Prometheus says of the store right now, through the
// gateway (GET /admin/observability): one line (sagas, services failing or down, dead letters in
// the last hour, when and where it was read), a row per service (instances up, requests per
// second, error ratio, p99, outbox backlog and age) and a row per consumer and topic (lag, dead
// letters). The dashboard asks on every refresh.
#pragma once

#include <QGroupBox>

#include "core/observability_model.h"

class QLabel;
class QTableView;

namespace storefront::admin {

class LiveFiguresPanel : public QGroupBox {
  Q_OBJECT

 public:
  explicit LiveFiguresPanel(QWidget* parent = nullptr);

  void showReport(const ObservabilityReport& report);
  // No figures: the tables empty (old figures would pass for current ones) and the line says
  // why: Prometheus not configured (amber, with the setting to make) or not readable (red).
  void showError(const ApiError& error);

  QString headline() const;
  QLabel* headlineLabel() const { return headline_; }
  const ServiceFiguresModel* services() const { return &services_; }
  const TopicFiguresModel* topics() const { return &topics_; }
  QTableView* servicesView() const { return servicesView_; }
  QTableView* topicsView() const { return topicsView_; }

 private:
  ServiceFiguresModel services_;
  TopicFiguresModel topics_;
  QLabel* headline_;
  QTableView* servicesView_;
  QTableView* topicsView_;
};

}  // namespace storefront::admin

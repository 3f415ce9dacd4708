// Shipments by status, and the buttons that move the selected one on: label created ->
// dispatched -> delivered (POST .../advance).
#pragma once

#include <QSortFilterProxyModel>

#include "app/pages/page.h"
#include "core/shipments_model.h"

class QComboBox;
class QPushButton;
class QTableView;

namespace storefront::admin {

class ShipmentsPage : public Page {
  Q_OBJECT

 public:
  explicit ShipmentsPage(ApiClient* api, QWidget* parent = nullptr);

 protected:
  void load() override;

 private:
  std::optional<Shipment> selected() const;
  void updateButtons();
  void advance(const QString& toStatus);

  ShipmentsModel model_;
  QSortFilterProxyModel proxy_;
  QComboBox* status_;
  QTableView* view_;
  QPushButton* dispatch_;
  QPushButton* deliver_;
};

}  // namespace storefront::admin

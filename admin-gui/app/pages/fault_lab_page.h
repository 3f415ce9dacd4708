// The fault lab: switch faults on and off per service and RPC (added latency, an error rate, an
// abort rate) and see which are on, so a learner can break the store on purpose and watch the
// breakers, retries and rate limits react on the dashboard. Each service process keeps its own
// faults; the gateway lets only operators change them, sends a change to every replica and logs
// it with the operator's name.
//
// Selecting an active fault fills the form with it, so changing one is select, edit, Apply.
// The form's rules are core/requests.h validateFault; Apply is enabled only when they pass.
#pragma once

#include <QSortFilterProxyModel>

#include "app/pages/page.h"
#include "core/faults_model.h"

class QComboBox;
class QLabel;
class QMessageBox;
class QPushButton;
class QSpinBox;
class QTableView;

namespace storefront::admin {

class FaultLabPage : public Page {
  Q_OBJECT

 public:
  explicit FaultLabPage(ApiClient* api, QWidget* parent = nullptr);

  FaultRequest request() const;
  QComboBox* serviceCombo() const { return service_; }
  QComboBox* methodCombo() const { return method_; }
  QSpinBox* latencySpin() const { return latency_; }
  QSpinBox* errorSpin() const { return errors_; }
  QSpinBox* abortSpin() const { return aborts_; }
  QPushButton* applyButton() const { return apply_; }
  QPushButton* clearSelectedButton() const { return clearSelected_; }
  QPushButton* clearAllButton() const { return clearAll_; }
  QTableView* view() const { return view_; }
  FaultsModel* model() { return &model_; }
  QString problemsText() const;

 protected:
  void load() override;

 private:
  void offerMethods(const QString& service);
  void fillFromSelection();
  void revalidate();
  void apply();
  void clearSelected();
  void askClearAll();
  void setBusy(bool busy);

  FaultsModel model_;
  QSortFilterProxyModel proxy_;
  QComboBox* service_;
  QComboBox* method_;
  QSpinBox* latency_;
  QSpinBox* errors_;
  QSpinBox* aborts_;
  QPushButton* apply_;
  QLabel* problems_;
  QTableView* view_;
  QPushButton* clearSelected_;
  QPushButton* clearAll_;
  bool touched_ = false;  // no complaint about an all-zero fault before the operator typed
  bool busy_ = false;     // a change is in flight: no second one on top of it
};

}  // namespace storefront::admin

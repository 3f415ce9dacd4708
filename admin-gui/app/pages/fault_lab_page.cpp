#include "app/pages/fault_lab_page.h"

#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include "app/view_helpers.h"

namespace storefront::admin {

FaultLabPage::FaultLabPage(ApiClient* api, QWidget* parent) : Page(api, tr("Fault lab"), parent) {
  proxy_.setSourceModel(&model_);
  proxy_.setSortRole(SortRole);

  auto* intro = new QLabel(tr("Faults are for learning: they make a service slow or failing on purpose, so you can "
                              "watch the breakers, retries and rate limits react on the Dashboard. Every change is "
                              "logged with your operator name."),
                           this);
  intro->setWordWrap(true);

  service_ = new QComboBox(this);
  service_->addItems(faultServices());
  method_ = new QComboBox(this);
  method_->setEditable(true);
  method_->setInsertPolicy(QComboBox::NoInsert);
  method_->setMinimumWidth(200);
  method_->setToolTip(tr("* for every RPC of the service, or one RPC's name"));
  latency_ = new QSpinBox(this);
  latency_->setRange(0, 30'000);
  latency_->setSingleStep(100);
  latency_->setSuffix(tr(" ms"));
  latency_->setToolTip(tr("Added before each call's work"));
  errors_ = new QSpinBox(this);
  errors_->setRange(0, 100);
  errors_->setSuffix(tr(" %"));
  errors_->setToolTip(tr("This share of calls is answered UNAVAILABLE without doing the work"));
  aborts_ = new QSpinBox(this);
  aborts_->setRange(0, 100);
  aborts_->setSuffix(tr(" %"));
  aborts_->setToolTip(tr("This share of calls does the work, then answers UNAVAILABLE: the caller cannot know it "
                         "happened"));
  apply_ = new QPushButton(tr("Apply"), this);
  apply_->setDefault(true);

  auto* formBox = new QGroupBox(tr("Switch a fault on (or change one)"), this);
  auto* form = new QGridLayout;
  const QList<std::pair<QString, QWidget*>> fields = {{tr("Service"), service_},     {tr("Method"), method_},
                                                      {tr("Added latency"), latency_}, {tr("Errors"), errors_},
                                                      {tr("Aborts"), aborts_}};
  for (int i = 0; i < fields.size(); ++i) {
    form->addWidget(new QLabel(fields[i].first, formBox), 0, i);
    form->addWidget(fields[i].second, 1, i);
  }
  form->addWidget(apply_, 1, int(fields.size()));
  form->setColumnStretch(int(fields.size()) + 1, 1);
  auto* meaning = new QLabel(tr("Latency is added before each call's work. Errors: that share of calls answers "
                                "UNAVAILABLE without doing the work. Aborts: that share does the work, then answers "
                                "UNAVAILABLE, so the caller cannot know it happened."),
                             formBox);
  meaning->setWordWrap(true);
  QPalette muted = meaning->palette();
  muted.setColor(QPalette::WindowText, toneColor(Tone::Muted));
  meaning->setPalette(muted);
  problems_ = makeProblemsLabel(formBox);
  auto* formLayout = new QVBoxLayout(formBox);
  formLayout->addLayout(form);
  formLayout->addWidget(meaning);
  formLayout->addWidget(problems_);

  view_ = new QTableView(this);
  view_->setModel(&proxy_);
  setUpTable(view_);
  view_->sortByColumn(FaultsModel::Service, Qt::AscendingOrder);
  clearSelected_ = new QPushButton(tr("Clear selected"), this);
  clearAll_ = new QPushButton(tr("Clear all…"), this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Active faults"), this));
  bar->addStretch();
  bar->addWidget(clearSelected_);
  bar->addWidget(clearAll_);

  body()->addWidget(intro);
  body()->addWidget(formBox);
  body()->addLayout(bar);
  body()->addWidget(view_, 1);

  connect(service_, &QComboBox::currentTextChanged, this, [this](const QString& service) {
    offerMethods(service);
    revalidate();
  });
  connect(method_, &QComboBox::currentTextChanged, this, &FaultLabPage::revalidate);
  for (QSpinBox* spin : {latency_, errors_, aborts_}) {
    connect(spin, &QSpinBox::valueChanged, this, [this] {
      touched_ = true;
      revalidate();
    });
  }
  connect(apply_, &QPushButton::clicked, this, &FaultLabPage::apply);
  connect(clearSelected_, &QPushButton::clicked, this, &FaultLabPage::clearSelected);
  connect(clearAll_, &QPushButton::clicked, this, &FaultLabPage::askClearAll);
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FaultLabPage::fillFromSelection);

  offerMethods(service_->currentText());
  revalidate();
}

void FaultLabPage::load() {
  expect(1);
  api_->listFaults(this, [this](const ApiResult<QList<Fault>>& result) {
    if (result.ok()) {
      model_.setRows(result.value());
      setSummary(result.value().isEmpty() ? tr("no faults switched on")
                                          : tr("%1 faults switched on").arg(result.value().size()));
    }
    revalidate();
    partDone(result.ok() ? nullptr : &result.error());
  });
}

FaultRequest FaultLabPage::request() const {
  return {service_->currentText(), method_->currentText().trimmed(), latency_->value(), errors_->value(),
          aborts_->value()};
}

QString FaultLabPage::problemsText() const { return problems_->isHidden() ? QString() : problems_->text(); }

void FaultLabPage::offerMethods(const QString& service) {
  QSignalBlocker block(method_);
  method_->clear();
  method_->addItem(QStringLiteral("*"));
  method_->addItems(faultMethods(service));
  method_->setCurrentIndex(0);
}

void FaultLabPage::fillFromSelection() {
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  clearSelected_->setEnabled(!rows.isEmpty() && !busy_);
  if (rows.isEmpty()) return;
  const Fault f = model_.rowAt(proxy_.mapToSource(rows.first()).row());
  service_->setCurrentText(f.service);  // offers its methods, then the fault's own is chosen
  method_->setCurrentText(f.method);
  latency_->setValue(int(f.latencyMs));
  errors_->setValue(int(f.errorPercent));
  aborts_->setValue(int(f.abortPercent));
}

void FaultLabPage::revalidate() {
  const bool hasSelection = view_->selectionModel()->hasSelection();
  clearSelected_->setEnabled(hasSelection && !busy_);
  clearAll_->setEnabled(!busy_);
  if (busy_) return;
  QList<FieldError> errors = validateFault(request());
  apply_->setEnabled(errors.isEmpty());
  if (!touched_) errors.removeIf([](const FieldError& e) { return e.field == u"fault"; });
  showProblems(problems_, errors);
}

void FaultLabPage::setBusy(bool busy) {
  busy_ = busy;
  if (busy) {
    apply_->setEnabled(false);
    clearSelected_->setEnabled(false);
    clearAll_->setEnabled(false);
  } else {
    revalidate();
  }
}

void FaultLabPage::apply() {
  const FaultRequest fault = request();
  if (busy_ || !validateFault(fault).isEmpty()) return;
  setBusy(true);
  api_->setFault(fault, this, [this](const ApiResult<Fault>& result) {
    setBusy(false);
    if (!result.ok()) {
      // Also in the window's message area (ApiClient::requestFailed); here, beside the form.
      showProblem(problems_, tr("The gateway refused the fault: %1").arg(result.error().message()));
      return;
    }
    const Fault& f = result.value();
    model_.upsert(f);
    emit notice(tr("Fault on %1/%2: %3").arg(f.service, f.method, f.effect()));
    reload();
  });
}

void FaultLabPage::clearSelected() {
  const QModelIndexList rows = view_->selectionModel()->selectedRows();
  if (busy_ || rows.isEmpty()) return;
  const Fault f = model_.rowAt(proxy_.mapToSource(rows.first()).row());
  setBusy(true);
  api_->clearFault(f.service, f.method, this, [this, f](const ApiResult<NoContent>& result) {
    setBusy(false);
    if (!result.ok()) {
      showProblem(problems_, tr("Could not clear %1/%2: %3").arg(f.service, f.method, result.error().message()));
      return;
    }
    emit notice(tr("Fault on %1/%2 cleared").arg(f.service, f.method));
    reload();
  });
}

void FaultLabPage::askClearAll() {
  if (busy_) return;
  auto* confirm = new QMessageBox(QMessageBox::Question, tr("Clear all faults"),
                                  tr("Clear every fault in every service? Calls behave normally again at once."),
                                  QMessageBox::Yes | QMessageBox::Cancel, this);
  confirm->setAttribute(Qt::WA_DeleteOnClose);
  confirm->button(QMessageBox::Yes)->setText(tr("Clear all faults"));
  confirm->setDefaultButton(QMessageBox::Cancel);
  connect(confirm, &QMessageBox::buttonClicked, this, [this, confirm](QAbstractButton* button) {
    if (confirm->standardButton(button) != QMessageBox::Yes) return;
    setBusy(true);
    api_->clearAllFaults(this, [this](const ApiResult<NoContent>& result) {
      setBusy(false);
      if (!result.ok()) {
        showProblem(problems_, tr("Could not clear the faults: %1").arg(result.error().message()));
        return;
      }
      model_.clear();
      emit notice(tr("Every fault cleared"));
      reload();
    });
  });
  confirm->open();
}

}  // namespace storefront::admin

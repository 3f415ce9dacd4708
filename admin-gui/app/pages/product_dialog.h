// Creates a product or edits one. Every field is checked as it is typed (core/requests.h
// validateProduct: SKU pattern, name required, price >= 0, category slug); Save is enabled only
// when they pass. Saving is asynchronous; the gateway's refusal (a taken SKU, a field it
// rejects) is shown in the dialog, which stays open so nothing typed is lost.
#pragma once

#include <QDialog>

#include <optional>

#include "core/dto.h"
#include "core/requests.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace storefront::admin {

class ApiClient;

class ProductDialog : public QDialog {
  Q_OBJECT

 public:
  ProductDialog(ApiClient* api, const QList<Category>& categories, std::optional<Product> product,
                QWidget* parent = nullptr);

  QPushButton* saveButton() const { return save_; }
  QStringList problems() const;

 signals:
  void saved(const storefront::admin::Product& product);

 private:
  ProductInput input() const;
  void revalidate();
  void submit();

  ApiClient* api_;
  std::optional<Product> product_;  // nullopt when creating
  QLineEdit* sku_;
  QLineEdit* name_;
  QPlainTextEdit* description_;
  QLineEdit* price_;
  QLineEdit* currency_;
  QComboBox* category_;
  QLineEdit* imageUrl_;
  QCheckBox* active_;
  QLabel* problems_;
  QPushButton* save_;
  bool busy_ = false;
};

}  // namespace storefront::admin

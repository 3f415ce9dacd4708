// The strip above the pages where gateway errors are written out, newest first. It is how the
// console keeps its promise never to drop an error silently: every failed request lands here
// (ApiClient::requestFailed), with its operation and request id. Repeats of the same error (a
// gateway that is down fails every refresh) are counted, not stacked.
#pragma once

#include <QFrame>
#include <QString>

class QLabel;
class QListWidget;
class QPushButton;

namespace storefront::admin {

class MessageArea : public QFrame {
  Q_OBJECT

 public:
  explicit MessageArea(QWidget* parent = nullptr);

  void addError(const QString& text);
  int count() const;          // distinct messages kept
  QString latest() const;     // "" when empty

 public slots:
  void clearMessages();

 private:
  static constexpr int kMaxMessages = 100;

  QLabel* latest_;
  QPushButton* toggle_;
  QListWidget* history_;
};

}  // namespace storefront::admin

// What went over the broker: the newest events of one topic with their payloads, and the dead
// letters (messages a consumer gave up on) with a Replay button that puts one back on its
// original topic.
#pragma once

#include <QSortFilterProxyModel>

#include "app/pages/page.h"
#include "core/dead_letters_model.h"
#include "core/events_model.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace storefront::admin {

class EventsPage : public Page {
  Q_OBJECT

 public:
  explicit EventsPage(ApiClient* api, QWidget* parent = nullptr);

 protected:
  void load() override;

 private:
  void loadEvents();
  void setTopics(const QList<Topic>& topics);
  void showPayload();
  void replaySelected();

  EventsModel events_;
  QSortFilterProxyModel eventsProxy_;
  DeadLettersModel deadLetters_;
  QSortFilterProxyModel deadProxy_;
  QComboBox* topic_;
  QSpinBox* limit_;
  QLabel* topicInfo_;
  QTabWidget* tabs_;
  QTableView* eventsView_;
  QPlainTextEdit* payload_;
  QTableView* deadView_;
  QPushButton* replay_;
  bool topicsLoaded_ = false;
};

}  // namespace storefront::admin

#include "app/view_helpers.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QTimer>

#include <memory>

namespace storefront::admin {

QColor toneColor(Tone tone) {
  switch (tone) {
    case Tone::Good: return QColor(0x1b, 0x7f, 0x3b);
    case Tone::Warning: return QColor(0xa1, 0x5c, 0x00);
    case Tone::Bad: return QColor(0xb3, 0x26, 0x1e);
    case Tone::Muted: return QColor(0x80, 0x80, 0x80);
    case Tone::Neutral: break;
  }
  return {};
}

void setTone(QLabel* label, Tone tone) {
  QPalette palette = label->palette();
  palette.setColor(QPalette::WindowText,
                   tone == Tone::Neutral ? palette.color(QPalette::Active, QPalette::Text) : toneColor(tone));
  label->setPalette(palette);
}

void ToneDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const {
  QStyledItemDelegate::initStyleOption(option, index);
  const Tone tone = Tone(index.data(ToneRole).toInt());
  if (tone == Tone::Neutral) return;
  option->palette.setColor(QPalette::Text, toneColor(tone));
  if (tone == Tone::Bad) option->font.setBold(true);
}

void setUpTable(QTableView* view, ColumnWidths widths) {
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setSelectionMode(QAbstractItemView::SingleSelection);
  view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view->setSortingEnabled(true);
  view->setAlternatingRowColors(true);
  view->setWordWrap(false);
  view->verticalHeader()->hide();
  view->horizontalHeader()->setStretchLastSection(true);
  view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  view->horizontalHeader()->setDefaultSectionSize(130);
  view->setItemDelegate(new ToneDelegate(view));

  // Fit the columns to the first rows that arrive, once: later refreshes keep whatever widths
  // the operator has dragged.
  if (QAbstractItemModel* model = view->model(); model && widths == ColumnWidths::FitFirstRows) {
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(model, &QAbstractItemModel::rowsInserted, view, [view, connection] {
      QObject::disconnect(*connection);
      QTimer::singleShot(0, view, [view] {
        view->resizeColumnsToContents();
        for (int c = 0; c < view->horizontalHeader()->count(); ++c) {
          view->setColumnWidth(c, std::min(view->columnWidth(c) + 16, 320));
        }
      });
    });
  }
}

QLabel* makeProblemsLabel(QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setWordWrap(true);
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QPalette palette = label->palette();
  palette.setColor(QPalette::WindowText, toneColor(Tone::Bad));
  label->setPalette(palette);
  label->hide();
  return label;
}

void showProblems(QLabel* label, const QList<FieldError>& problems) {
  QStringList lines;
  for (const auto& p : problems) lines << p.field + QStringLiteral(": ") + p.detail;
  showProblem(label, lines.join(u'\n'));
}

void showProblem(QLabel* label, const QString& text) {
  label->setText(text);
  label->setVisible(!text.isEmpty());
}

}  // namespace storefront::admin

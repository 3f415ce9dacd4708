// Small pieces every page uses: table set-up, tone colours, the problems label of a form.
#pragma once

#include <QColor>
#include <QList>
#include <QStyledItemDelegate>

#include "core/api_error.h"
#include "core/table_model.h"

class QLabel;
class QTableView;

namespace storefront::admin {

QColor toneColor(Tone tone);
// Colours a label's text by `tone`; Neutral is the palette's own text colour.
void setTone(QLabel* label, Tone tone);

// Colours a cell's text by the model's ToneRole (the core cannot name colours: no QtGui there).
class ToneDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;

 protected:
  void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;
};

enum class ColumnWidths {
  FitFirstRows,  // fitted once to the first rows that arrive; then the operator's to drag
  SetByCaller,   // left alone: the caller sets the header's resize modes (a small fixed panel)
};

// Read-only, whole-row selection, sortable by clicking a header, tone colours; column widths as
// `widths` says. Call after setModel().
void setUpTable(QTableView* view, ColumnWidths widths = ColumnWidths::FitFirstRows);

// A red, word-wrapped label for a form's problems or a failed request; hidden when empty.
QLabel* makeProblemsLabel(QWidget* parent);
void showProblems(QLabel* label, const QList<FieldError>& problems);
void showProblem(QLabel* label, const QString& text);

}  // namespace storefront::admin

// The shared shape of the console's table models: rows of one DTO type, one column per field.
//
// Subclasses say what the columns are (headers(), cell()) and what identifies a row (keyOf()).
// setRows() is how the API fills a model on every refresh, and it does not reset: rows whose key
// stays are updated in place, gone rows are removed, new ones inserted and reordered ones moved,
// each with the matching begin/end signals. So the operator's selection, scroll position and
// sort survive the 5-second auto-refresh. QAbstractItemModelTester checks the signals in
// core/models_test.cpp.
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QSet>
#include <QStringList>

#include <optional>

namespace storefront::admin {

enum ModelRole {
  // What QSortFilterProxyModel sorts by: the raw number, money in minor units or QDateTime,
  // so "$9.00" sorts before "$10.00" and times sort by time, not by their text.
  SortRole = Qt::UserRole + 1,
  KeyRole,   // the row's key (an id)
  ToneRole,  // a Tone: how the row or cell should look. Colours are a widget concern (QtGui),
             // so the core says "bad" and the app's ToneDelegate picks the red.
};

enum class Tone { Neutral, Good, Warning, Bad, Muted };

// The first 8 characters of a UUID: enough to tell rows apart, short enough for a column.
inline QString shortId(const QString& id) { return id.left(8); }

template <typename Row>
class TableModel : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override {
    return parent.isValid() ? 0 : int(rows_.size());
  }
  int columnCount(const QModelIndex& parent = QModelIndex()) const override {
    return parent.isValid() ? 0 : int(headers().size());
  }
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    const QStringList names = headers();
    return section >= 0 && section < names.size() ? QVariant(names[section]) : QVariant();
  }
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& row = rows_[index.row()];
    if (role == KeyRole) return keyOf(row);
    return cell(row, index.column(), role);
  }

  const QList<Row>& rows() const { return rows_; }
  const Row& rowAt(int row) const { return rows_[row]; }
  std::optional<int> rowOf(const QString& key) const {
    for (int i = 0; i < rows_.size(); ++i) {
      if (keyOf(rows_[i]) == key) return i;
    }
    return std::nullopt;
  }

  // Makes the model hold exactly `rows`, in that order, with fine-grained signals.
  void setRows(QList<Row> rows) {
    QSet<QString> keys;
    for (const Row& row : rows) keys.insert(keyOf(row));
    if (keys.size() != rows.size()) {  // duplicate keys: no identity to keep, start over
      beginResetModel();
      rows_ = std::move(rows);
      endResetModel();
      return;
    }
    // 1. Remove rows that are gone, bottom-up so indexes stay valid.
    for (int i = int(rows_.size()) - 1; i >= 0; --i) {
      if (!keys.contains(keyOf(rows_[i]))) {
        beginRemoveRows({}, i, i);
        rows_.removeAt(i);
        endRemoveRows();
      }
    }
    // 2. Walk the new order: keep, move up, or insert each row at position p.
    for (int p = 0; p < rows.size(); ++p) {
      const QString key = keyOf(rows[p]);
      if (p < rows_.size() && keyOf(rows_[p]) == key) {
        rows_[p] = rows[p];
        continue;
      }
      int from = -1;
      for (int j = p + 1; j < rows_.size(); ++j) {
        if (keyOf(rows_[j]) == key) {
          from = j;
          break;
        }
      }
      if (from >= 0) {
        beginMoveRows({}, from, from, {}, p);
        rows_.move(from, p);
        endMoveRows();
        rows_[p] = rows[p];
      } else {
        beginInsertRows({}, p, p);
        rows_.insert(p, rows[p]);
        endInsertRows();
      }
    }
    if (!rows_.isEmpty()) emit dataChanged(index(0, 0), index(int(rows_.size()) - 1, columnCount() - 1));
  }

  // Replaces the row with the same key (after an edit the gateway answered with), or appends it.
  void upsert(const Row& row) {
    if (auto at = rowOf(keyOf(row))) {
      rows_[*at] = row;
      emit dataChanged(index(*at, 0), index(*at, columnCount() - 1));
      return;
    }
    beginInsertRows({}, int(rows_.size()), int(rows_.size()));
    rows_.append(row);
    endInsertRows();
  }

  void clear() { setRows({}); }

 protected:
  virtual QStringList headers() const = 0;
  virtual QString keyOf(const Row& row) const = 0;
  virtual QVariant cell(const Row& row, int column, int role) const = 0;

 private:
  QList<Row> rows_;
};

}  // namespace storefront::admin

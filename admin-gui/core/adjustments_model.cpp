#include "core/adjustments_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

QStringList AdjustmentsModel::headers() const { return {"When", "Change", "Reason", "Note", "By", "On hand after"}; }

QVariant AdjustmentsModel::cell(const Adjustment& a, int column, int role) const {
  if (role == ToneRole && column == Change) return int(a.delta < 0 ? Tone::Bad : Tone::Good);
  if (role == Qt::TextAlignmentRole && (column == Change || column == OnHandAfter)) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case When: return sort ? QVariant(a.createdAt) : QVariant(formatTimestamp(a.createdAt));
    case Change: return sort ? QVariant(a.delta) : QVariant((a.delta > 0 ? QStringLiteral("+") : QString()) +
                                                            QString::number(a.delta));
    case Reason: return a.reason;
    case Note: return a.note;
    case Actor: return a.actor;
    case OnHandAfter: return a.onHandAfter;
  }
  return {};
}

}  // namespace storefront::admin

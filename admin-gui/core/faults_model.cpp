#include "core/faults_model.h"

#include "core/timestamp.h"

namespace storefront::admin {

QStringList FaultsModel::headers() const {
  return {"Service", "Method", "Added latency", "Errors", "Aborts", "Set by", "Set at"};
}

QVariant FaultsModel::cell(const Fault& f, int column, int role) const {
  // What the fault does is in the warning colour; a 0 it does not do stays plain.
  if (role == ToneRole) {
    if (column == Errors && f.errorPercent > 0) return int(Tone::Warning);
    if (column == Aborts && f.abortPercent > 0) return int(Tone::Warning);
    if (column == Latency && f.latencyMs > 0) return int(Tone::Warning);
    return int(Tone::Neutral);
  }
  if (role == Qt::TextAlignmentRole && column >= Latency && column <= Aborts) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Service: return f.service;
    case Method: return f.everyMethod() && !sort ? QStringLiteral("* (every RPC)") : f.method;
    case Latency: return sort ? QVariant(f.latencyMs) : QVariant(QStringLiteral("%1 ms").arg(f.latencyMs));
    case Errors: return sort ? QVariant(f.errorPercent) : QVariant(QStringLiteral("%1 %").arg(f.errorPercent));
    case Aborts: return sort ? QVariant(f.abortPercent) : QVariant(QStringLiteral("%1 %").arg(f.abortPercent));
    case SetBy: return f.setBy;
    case SetAt: return sort ? QVariant(f.setAt) : QVariant(formatTimestamp(f.setAt));
  }
  return {};
}

}  // namespace storefront::admin

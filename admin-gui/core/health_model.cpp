#include "core/health_model.h"

#include "core/resilience_model.h"

namespace storefront::admin {

QStringList HealthModel::headers() const { return {"Component", "Kind", "Status", "Breaker", "Detail"}; }

QVariant HealthModel::cell(const HealthComponent& c, int column, int role) const {
  if (role == ToneRole && column == Status) return int(c.isUp() ? Tone::Good : Tone::Bad);
  if (role == ToneRole && column == Breaker) return int(breakerTone(c.breaker));
  if (role == Qt::ToolTipRole && column == Detail) return c.detail;
  if (role != Qt::DisplayRole && role != SortRole) return {};
  switch (column) {
    case Name: return c.name;
    case Kind: return c.kind;
    case Status: return c.status;
    case Breaker: return breakerLabel(c.breaker);
    case Detail: return c.detail;
  }
  return {};
}

}  // namespace storefront::admin

#include "core/resilience_model.h"

#include <algorithm>

namespace storefront::admin {

QString breakerLabel(const QString& state) {
  if (state == u"half_open") return QStringLiteral("half-open");
  return state;
}

Tone breakerTone(const QString& state) {
  if (state == u"open") return Tone::Bad;
  if (state == u"half_open") return Tone::Warning;
  return Tone::Neutral;
}

QString resilienceHeadline(const ResilienceReport& report) {
  int open = 0, halfOpen = 0, closed = 0;
  qint64 bulkheadRejected = 0;
  QStringList silent;
  for (const auto& u : report.upstreams) {
    if (!u.answered()) {
      silent << u.caller;
      continue;
    }
    if (u.breaker) {
      if (u.breaker->isOpen()) ++open;
      else if (u.breaker->state == u"half_open") ++halfOpen;
      else ++closed;
    }
    if (u.bulkhead) bulkheadRejected += u.bulkhead->rejected;
  }
  QStringList states;
  if (open > 0) states << QStringLiteral("%1 open").arg(open);
  if (halfOpen > 0) states << QStringLiteral("%1 half-open").arg(halfOpen);
  if (closed > 0) states << QStringLiteral("%1 closed").arg(closed);
  qint64 retried = 0;
  for (const auto& r : report.retries) retried += r.retriedAttempts;
  qint64 limited = 0;
  for (const auto& r : report.rateLimitRejected) limited += r.rejected;

  QStringList parts;
  parts << QStringLiteral("Breakers: ") + (states.isEmpty() ? QStringLiteral("none reported") : states.join(u", "));
  if (!silent.isEmpty()) parts << QStringLiteral("no answer from ") + silent.join(u", ");
  parts << QStringLiteral("bulkheads refused %1").arg(bulkheadRejected);
  parts << QStringLiteral("%1 retried attempts").arg(retried);
  parts << QStringLiteral("%1 requests rate-limited").arg(limited);
  return parts.join(QStringLiteral(" · "));
}

Tone resilienceTone(const ResilienceReport& report) {
  Tone tone = Tone::Neutral;
  for (const auto& u : report.upstreams) {
    if (!u.answered() || (u.breaker && u.breaker->isOpen())) return Tone::Bad;
    if (u.breaker && u.breaker->state == u"half_open") tone = Tone::Warning;
  }
  return tone;
}

QString faultsLine(const QList<Fault>& faults) {
  if (faults.isEmpty()) return QStringLiteral("No faults switched on");
  QStringList parts;
  for (const auto& f : faults) parts << f.service + u'/' + f.method + u' ' + f.effect();
  return QStringLiteral("Faults on: ") + parts.join(QStringLiteral("; "));
}

QStringList ResilienceModel::headers() const {
  return {"Caller", "Upstream", "Breaker", "Calls", "Failures", "Failed fast", "In flight", "Refused", "Detail"};
}

QVariant ResilienceModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
    switch (section) {
      case Caller: return QStringLiteral("The process making the calls: the gateway, or checkout for its own clients");
      case Breaker: return QStringLiteral("closed: calls go through; open: calls fail at once; half-open: one probe "
                                          "call decides");
      case WindowCalls: return QStringLiteral("Calls in the breaker's current window");
      case WindowFailures: return QStringLiteral("Failed calls in the breaker's current window");
      case BreakerRejected: return QStringLiteral("Calls the open breaker answered at once, since the caller started");
      case InFlight: return QStringLiteral("Bulkhead: calls running now / the most it lets run at once");
      case BulkheadRejected: return QStringLiteral("Bulkhead: calls refused because it was full, since the caller "
                                                   "started");
    }
    return {};
  }
  return TableModel::headerData(section, orientation, role);
}

namespace {

QString detailOf(const UpstreamResilience& u) {
  if (!u.answered()) return u.error;
  if (!u.breaker) return {};
  if (u.breaker->isOpen()) {
    return u.breaker->retryAfterSeconds > 0 ? QStringLiteral("fails fast; probe in %1 s").arg(u.breaker->retryAfterSeconds)
                                            : QStringLiteral("fails fast");
  }
  if (u.breaker->state == u"half_open") return QStringLiteral("a probe call decides");
  return {};
}

Tone toneOf(const UpstreamResilience& u, int column) {
  if (!u.answered()) return column == ResilienceModel::Caller ? Tone::Neutral : Tone::Bad;
  switch (column) {
    case ResilienceModel::Breaker:
    case ResilienceModel::Detail: return u.breaker ? breakerTone(u.breaker->state) : Tone::Neutral;
    case ResilienceModel::WindowFailures: return u.breaker && u.breaker->failures > 0 ? Tone::Warning : Tone::Neutral;
    case ResilienceModel::BreakerRejected: return u.breaker && u.breaker->rejected > 0 ? Tone::Warning : Tone::Neutral;
    case ResilienceModel::InFlight: return u.bulkhead && u.bulkhead->isFull() ? Tone::Warning : Tone::Neutral;
    case ResilienceModel::BulkheadRejected:
      return u.bulkhead && u.bulkhead->rejected > 0 ? Tone::Warning : Tone::Neutral;
  }
  return Tone::Neutral;
}

}  // namespace

QVariant ResilienceModel::cell(const UpstreamResilience& u, int column, int role) const {
  if (role == ToneRole) return int(toneOf(u, column));
  if (role == Qt::ToolTipRole && column == Detail) return detailOf(u);
  if (role == Qt::TextAlignmentRole && column >= WindowCalls && column <= BulkheadRejected) {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  const auto& b = u.breaker;
  const auto& h = u.bulkhead;
  switch (column) {
    case Caller: return u.caller;
    case Upstream: return u.upstream;
    case Breaker:
      if (!u.answered()) return QStringLiteral("no answer");
      return b ? breakerLabel(b->state) : QString();
    case WindowCalls: return b ? QVariant(b->calls) : QVariant();
    case WindowFailures: return b ? QVariant(b->failures) : QVariant();
    case BreakerRejected: return b ? QVariant(b->rejected) : QVariant();
    case InFlight:
      if (!h) return {};
      return sort ? QVariant(h->inFlight) : QVariant(QStringLiteral("%1 / %2").arg(h->inFlight).arg(h->limit));
    case BulkheadRejected: return h ? QVariant(h->rejected) : QVariant();
    case Detail: return detailOf(u);
  }
  return {};
}

QStringList RetriesModel::headers() const { return {"Service", "Method", "Retries"}; }

QVariant RetriesModel::cell(const RetryCount& r, int column, int role) const {
  if (role == Qt::TextAlignmentRole && column == Retried) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole && role != SortRole) return {};
  switch (column) {
    case Service: return r.service;
    case Method: return r.method;
    case Retried: return r.retriedAttempts;
  }
  return {};
}

QList<RateLimitRow> rateLimitRows(const ResilienceReport& report) {
  QList<RateLimitRow> rows;
  for (const auto& policy : report.rateLimitPolicies) rows.append({policy.name, policy, 0});
  for (const auto& refused : report.rateLimitRejected) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const RateLimitRow& r) { return r.name == refused.policy; });
    if (it != rows.end()) it->rejected = refused.rejected;
    else rows.append({refused.policy, std::nullopt, refused.rejected});
  }
  return rows;
}

QStringList RateLimitsModel::headers() const { return {"Policy", "Limit", "Refused (429)"}; }

QVariant RateLimitsModel::cell(const RateLimitRow& r, int column, int role) const {
  if (role == ToneRole) return int(column == Rejected && r.rejected > 0 ? Tone::Warning : Tone::Neutral);
  if (role == Qt::TextAlignmentRole && column == Rejected) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Policy: return r.name;
    case Limit:
      if (!r.policy) return {};
      return sort ? QVariant(r.policy->limit)
                  : QVariant(QStringLiteral("%1 per %2 s").arg(r.policy->limit).arg(r.policy->windowSeconds));
    case Rejected: return r.rejected;
  }
  return {};
}

}  // namespace storefront::admin

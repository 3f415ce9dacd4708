// What GET /admin/resilience reports, as the dashboard's tables show it: one row per caller ->
// upstream pair with its breaker and bulkhead, the retries per RPC, and the rate-limit policies
// with the requests they refused. Also how a breaker state reads, shared with the health table.
#pragma once

#include <optional>

#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

// "closed", "open", "half-open"; "" for no breaker. Said in words as well as coloured, so the
// state never depends on seeing red.
QString breakerLabel(const QString& state);
// open is Bad, half_open Warning, closed (and anything unknown) Neutral.
Tone breakerTone(const QString& state);

// One line over the whole report for the dashboard, e.g. "Breakers: 1 open, 2 closed · no answer
// from checkout · bulkheads refused 5 · 3 retried attempts · 9 requests rate-limited", and its tone:
// Bad when a breaker is open or a caller did not answer, Warning when one is half-open.
QString resilienceHeadline(const ResilienceReport& report);
Tone resilienceTone(const ResilienceReport& report);
// "Faults on: payments/* 50 % errors; ..." or "No faults switched on".
QString faultsLine(const QList<Fault>& faults);

class ResilienceModel : public TableModel<UpstreamResilience> {
 public:
  enum Column {
    Caller,
    Upstream,
    Breaker,
    WindowCalls,
    WindowFailures,
    BreakerRejected,
    InFlight,
    BulkheadRejected,
    Detail,
  };
  using TableModel::TableModel;

  // Short headers keep the table narrow; the tooltip says what each number counts.
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 protected:
  QStringList headers() const override;
  QString keyOf(const UpstreamResilience& row) const override { return row.caller + u'>' + row.upstream; }
  QVariant cell(const UpstreamResilience& row, int column, int role) const override;
};

class RetriesModel : public TableModel<RetryCount> {
 public:
  enum Column { Service, Method, Retried };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const RetryCount& row) const override { return row.service + u'/' + row.method; }
  QVariant cell(const RetryCount& row, int column, int role) const override;
};

// A rate-limit policy with its refusals; a name that only appears among the refusals (a policy
// the gateway counts but did not list) has no policy.
struct RateLimitRow {
  QString name;
  std::optional<RateLimitPolicy> policy;
  qint64 rejected = 0;
};

// The policies in the gateway's order, then any name only the refusals mention.
QList<RateLimitRow> rateLimitRows(const ResilienceReport& report);

class RateLimitsModel : public TableModel<RateLimitRow> {
 public:
  enum Column { Policy, Limit, Rejected };
  using TableModel::TableModel;

 protected:
  QStringList headers() const override;
  QString keyOf(const RateLimitRow& row) const override { return row.name; }
  QVariant cell(const RateLimitRow& row, int column, int role) const override;
};

}  // namespace storefront::admin

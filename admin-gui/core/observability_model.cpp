#include "core/observability_model.h"

#include <algorithm>

namespace storefront::admin {
namespace {

const QString kNone = QStringLiteral("—");

Tone worst(Tone a, Tone b) {
  auto rank = [](Tone t) { return t == Tone::Bad ? 2 : t == Tone::Warning ? 1 : 0; };
  return rank(b) > rank(a) ? b : a;
}

template <typename T>
Tone above(std::optional<T> value, T warning, T bad) {
  if (!value) return Tone::Neutral;
  if (*value >= bad) return Tone::Bad;
  if (*value >= warning) return Tone::Warning;
  return Tone::Neutral;
}

QVariant sortable(std::optional<double> value) { return value ? QVariant(*value) : QVariant(); }
QVariant sortable(std::optional<qint64> value) { return value ? QVariant(*value) : QVariant(); }
QString count(std::optional<qint64> value) { return value ? QString::number(*value) : kNone; }

}  // namespace

QString formatRate(std::optional<double> perSecond) {
  if (!perSecond) return kNone;
  const double v = *perSecond;
  if (v == 0) return QStringLiteral("0");
  if (v < 0.01) return QStringLiteral("<0.01");
  return QString::number(v, 'f', v < 10 ? 2 : v < 100 ? 1 : 0);
}

QString formatRatio(std::optional<double> ratio) {
  if (!ratio) return kNone;
  const double percent = *ratio * 100;
  if (percent == 0) return QStringLiteral("0 %");
  if (percent < 0.01) return QStringLiteral("<0.01 %");
  return QString::number(percent, 'f', percent < 10 ? 2 : 1) + QStringLiteral(" %");
}

QString formatSeconds(std::optional<double> seconds) {
  if (!seconds) return kNone;
  const double s = *seconds;
  if (s < 0.001) return QString::number(s * 1e6, 'f', 0) + QStringLiteral(" µs");
  if (s < 1) return QString::number(s * 1e3, 'f', s < 0.01 ? 1 : 0) + QStringLiteral(" ms");
  return QString::number(s, 'f', 2) + QStringLiteral(" s");
}

QString formatAge(std::optional<double> seconds) {
  if (!seconds) return kNone;
  const qint64 s = qint64(*seconds + 0.5);
  if (s < 60) return QStringLiteral("%1 s").arg(s);
  if (s < 3600) return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
  return QStringLiteral("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
}

QList<ServiceRow> serviceRows(const ObservabilityReport& report) {
  QList<ServiceRow> rows;
  for (const auto& figures : report.services) rows.append({figures, std::nullopt});
  for (const auto& outbox : report.outbox) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const ServiceRow& r) { return r.figures.job == outbox.job; });
    if (it != rows.end()) {
      it->outbox = outbox;
    } else {
      ServiceRow row;
      row.figures.job = outbox.job;
      row.outbox = outbox;
      rows.append(row);
    }
  }
  return rows;
}

QList<TopicRow> topicRows(const ObservabilityReport& report) {
  QList<TopicRow> rows;
  for (const auto& lag : report.consumerLag) rows.append({lag.job, lag.topic, lag.lag, std::nullopt, std::nullopt});
  for (const auto& dead : report.deadLetters) {
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const TopicRow& r) { return r.job == dead.job && r.topic == dead.topic; });
    if (it == rows.end()) {
      rows.append(TopicRow{dead.job, dead.topic, std::nullopt, dead.total, dead.lastHour});
    } else {
      it->deadLetters = dead.total;
      it->deadLettersLastHour = dead.lastHour;
    }
  }
  return rows;
}

QString figuresHeadline(const ObservabilityReport& report) {
  QStringList parts;
  // Checkouts are rare next to requests: per minute reads better than 0.02/s.
  auto perMinute = [](std::optional<double> perSecond) {
    return perSecond ? std::optional<double>(*perSecond * 60) : std::nullopt;
  };
  if (report.sagasCompletedRate || report.sagasFailedRate) {
    parts << QStringLiteral("Sagas %1/min completed, %2/min failed")
                 .arg(formatRate(perMinute(report.sagasCompletedRate)), formatRate(perMinute(report.sagasFailedRate)));
  } else {
    parts << QStringLiteral("Sagas: no figures yet");
  }
  QStringList failing;
  QStringList down;
  for (const auto& s : report.services) {
    if (s.errorRatio && *s.errorRatio >= kErrorRatioWarning) failing << s.job;
    if (s.instancesUp && s.instances && *s.instancesUp < *s.instances) {
      down << QStringLiteral("%1 %2/%3 up").arg(s.job).arg(*s.instancesUp).arg(*s.instances);
    }
  }
  if (!failing.isEmpty()) parts << QStringLiteral("errors over 1 %: ") + failing.join(u", ");
  if (!down.isEmpty()) parts << down.join(u", ");
  qint64 deadLastHour = 0;
  for (const auto& d : report.deadLetters) deadLastHour += d.lastHour.value_or(0);
  parts << QStringLiteral("dead letters in the last hour: %1").arg(deadLastHour);
  return parts.join(QStringLiteral(" · "));
}

Tone figuresTone(const ObservabilityReport& report) {
  Tone tone = Tone::Neutral;
  for (const auto& row : serviceRows(report)) {
    for (int c = ServiceFiguresModel::Service; c <= ServiceFiguresModel::OutboxAge; ++c) {
      tone = worst(tone, ServiceFiguresModel::toneOf(row, c));
    }
  }
  for (const auto& row : topicRows(report)) {
    for (int c = TopicFiguresModel::Service; c <= TopicFiguresModel::LastHour; ++c) {
      tone = worst(tone, TopicFiguresModel::toneOf(row, c));
    }
  }
  return tone;
}

QString figuresSource(const ObservabilityReport& report) {
  QString title = report.prometheusUrl.isEmpty() ? QStringLiteral("Live figures")
                                                 : QStringLiteral("Live figures from %1").arg(report.prometheusUrl);
  if (report.readAt.isValid()) {
    return title + QStringLiteral(", last minute to %1").arg(report.readAt.toLocalTime().toString(QStringLiteral("HH:mm:ss")));
  }
  return title + QStringLiteral(", last minute");
}

bool isPrometheusNotConfigured(const ApiError& error) {
  return error.kind == ApiError::Kind::Http && error.httpStatus == 503 &&
         error.problem.value(u"type").toString().endsWith(u"/observability-unavailable") &&
         error.problem.value(u"prometheus_url").isNull();
}

QString figuresErrorText(const ApiError& error) {
  if (isPrometheusNotConfigured(error)) return error.detail.isEmpty() ? error.message() : error.detail;
  return QStringLiteral("Live figures unavailable: ") + (error.detail.isEmpty() ? error.message() : error.detail);
}

Tone figuresErrorTone(const ApiError& error) { return isPrometheusNotConfigured(error) ? Tone::Warning : Tone::Bad; }

// --- Services ---------------------------------------------------------------------------------

QStringList ServiceFiguresModel::headers() const { return {"Service", "Up", "Req/s", "Errors", "p99", "Outbox", "Oldest"}; }

QVariant ServiceFiguresModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
    switch (section) {
      case Service: return QStringLiteral("The Prometheus job: the gateway, or a service");
      case Up: return QStringLiteral("Instances whose last scrape succeeded / instances Prometheus scrapes");
      case Rate: return QStringLiteral("Requests (gateway) or RPCs (a service) handled per second, last minute");
      case Errors:
        return QStringLiteral("Share that failed, last minute: 5xx for the gateway; UNKNOWN, DEADLINE_EXCEEDED, "
                              "UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS for a service. Amber from 1 %, "
                              "red from 5 % (where the alert fires)");
      case P99: return QStringLiteral("99th percentile duration, last minute. Amber from 1 s, red from 2 s");
      case Outbox: return QStringLiteral("Outbox rows not yet published to the broker");
      case OutboxAge:
        return QStringLiteral("Age of the oldest unpublished outbox row. Amber from 10 s, red from 60 s");
    }
    return {};
  }
  return TableModel::headerData(section, orientation, role);
}

Tone ServiceFiguresModel::toneOf(const ServiceRow& row, int column) {
  const ServiceFigures& f = row.figures;
  switch (column) {
    case Up:
      if (!f.instancesUp || !f.instances) return Tone::Neutral;
      if (*f.instancesUp == 0 && *f.instances > 0) return Tone::Bad;
      return *f.instancesUp < *f.instances ? Tone::Warning : Tone::Neutral;
    case Errors: return above(f.errorRatio, kErrorRatioWarning, kErrorRatioBad);
    case P99: return above(f.p99Seconds, kP99WarningSeconds, kP99BadSeconds);
    case OutboxAge:
      return row.outbox ? above(row.outbox->oldestAgeSeconds, kOutboxAgeWarningSeconds, kOutboxAgeBadSeconds)
                        : Tone::Neutral;
  }
  return Tone::Neutral;
}

QVariant ServiceFiguresModel::cell(const ServiceRow& row, int column, int role) const {
  if (role == ToneRole) return int(toneOf(row, column));
  if (role == Qt::TextAlignmentRole && column != Service) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  const ServiceFigures& f = row.figures;
  switch (column) {
    case Service: return f.job;
    case Up:
      if (sort) return sortable(f.instancesUp);
      if (!f.instancesUp) return kNone;
      return f.instances ? QStringLiteral("%1/%2").arg(*f.instancesUp).arg(*f.instances) : QString::number(*f.instancesUp);
    case Rate: return sort ? sortable(f.requestRate) : formatRate(f.requestRate);
    case Errors: return sort ? sortable(f.errorRatio) : formatRatio(f.errorRatio);
    case P99: return sort ? sortable(f.p99Seconds) : formatSeconds(f.p99Seconds);
    case Outbox: {
      const auto rows = row.outbox ? row.outbox->unpublishedRows : std::nullopt;
      return sort ? sortable(rows) : count(rows);
    }
    case OutboxAge: {
      const auto age = row.outbox ? row.outbox->oldestAgeSeconds : std::nullopt;
      return sort ? sortable(age) : formatAge(age);
    }
  }
  return {};
}

// --- Topics -----------------------------------------------------------------------------------

QStringList TopicFiguresModel::headers() const { return {"Consumer", "Topic", "Lag", "Dead letters", "In 1 h"}; }

QVariant TopicFiguresModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
    switch (section) {
      case Service: return QStringLiteral("The service consuming the topic");
      case Lag:
        return QStringLiteral("Messages on the topic its consumers have not read yet. Amber from 100, red from 1000");
      case DeadLetters: return QStringLiteral("Events it dead-lettered since its processes started");
      case LastHour: return QStringLiteral("Of those, in the last hour (red when any)");
    }
    return {};
  }
  return TableModel::headerData(section, orientation, role);
}

Tone TopicFiguresModel::toneOf(const TopicRow& row, int column) {
  switch (column) {
    case Lag: return above<qint64>(row.lag, kLagWarning, kLagBad);
    case DeadLetters: return row.deadLetters.value_or(0) > 0 ? Tone::Warning : Tone::Neutral;
    case LastHour: return row.deadLettersLastHour.value_or(0) > 0 ? Tone::Bad : Tone::Neutral;
  }
  return Tone::Neutral;
}

QVariant TopicFiguresModel::cell(const TopicRow& row, int column, int role) const {
  if (role == ToneRole) return int(toneOf(row, column));
  if (role == Qt::ToolTipRole && column == Topic) return row.topic;
  if (role == Qt::TextAlignmentRole && column >= Lag) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  const bool sort = role == SortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  switch (column) {
    case Service: return row.job;
    case Topic:
      // Every topic of the store starts so; the column shows the rest, the tooltip the whole name.
      if (role == Qt::DisplayRole && row.topic.startsWith(u"storefront.")) return row.topic.mid(11);
      return row.topic;
    case Lag: return sort ? sortable(row.lag) : count(row.lag);
    case DeadLetters: return sort ? sortable(row.deadLetters) : count(row.deadLetters);
    case LastHour: return sort ? sortable(row.deadLettersLastHour) : count(row.deadLettersLastHour);
  }
  return {};
}

}  // namespace storefront::admin

// What GET /admin/observability reports, as the dashboard's "Live figures" panel shows it: a row
// per service (instances up, requests per second, error ratio and p99 over the last minute, and
// its outbox), a row per consumer and topic (lag and dead letters), one line over both, and how
// the gateway's 503 reads (Prometheus not configured, or not readable).
//
// Each figure is in words and in a tone: the thresholds below are the console's, chosen to draw
// the eye, not alerts (those are Prometheus' rules). A figure Prometheus does not have is a dash.
#pragma once

#include <optional>

#include "core/api_error.h"
#include "core/dto.h"
#include "core/table_model.h"

namespace storefront::admin {

// Warning from, Bad from (inclusive).
inline constexpr double kErrorRatioWarning = 0.01, kErrorRatioBad = 0.05;
inline constexpr double kP99WarningSeconds = 1.0, kP99BadSeconds = 2.0;  // 2 s: the gateway's upstream budget
inline constexpr double kOutboxAgeWarningSeconds = 10, kOutboxAgeBadSeconds = 60;
inline constexpr qint64 kLagWarning = 100, kLagBad = 1000;

// "12.3", "0.25", "0" (per second); "—" for no figure.
QString formatRate(std::optional<double> perSecond);
// "0 %", "0.25 %", "12.5 %"; "—" for no figure.
QString formatRatio(std::optional<double> ratio);
// "850 µs", "12 ms", "1.25 s"; "—" for no figure.
QString formatSeconds(std::optional<double> seconds);
// "0 s", "42 s", "3 min 20 s", "2 h 5 min"; "—" for no figure.
QString formatAge(std::optional<double> seconds);

// A service's figures and its outbox, when it has one.
struct ServiceRow {
  ServiceFigures figures;
  std::optional<OutboxFigures> outbox;
};
// The services in the gateway's order, then any job only the outbox names.
QList<ServiceRow> serviceRows(const ObservabilityReport& report);

// One consumer (job) of one topic: how far behind it is and what it dead-lettered.
struct TopicRow {
  QString job;
  QString topic;
  std::optional<qint64> lag;
  std::optional<qint64> deadLetters;
  std::optional<qint64> deadLettersLastHour;
};
// Every (job, topic) the lag or the dead letters name, lag's order first.
QList<TopicRow> topicRows(const ObservabilityReport& report);

// One line over the report, e.g. "Sagas 30.0/min completed, 12.0/min failed · errors over 1 %: payments
// · payments 1/2 up · dead letters in the last hour: 1", and its tone: the worst of the tables' cells.
QString figuresHeadline(const ObservabilityReport& report);
Tone figuresTone(const ObservabilityReport& report);
// Where and when they were read, for the panel's title: "Live figures from http://127.0.0.1:9090,
// last minute to 12:00:05" (local time).
QString figuresSource(const ObservabilityReport& report);

// The gateway answered 503 observability-unavailable without a prometheus_url: it has no
// Prometheus configured, which is a setting to make, not an outage.
bool isPrometheusNotConfigured(const ApiError& error);
// The panel's line when there are no figures: "Prometheus is not configured: ..." or "Live figures
// unavailable: Prometheus at ... is unreachable: ...", and its tone (Warning, or Bad).
QString figuresErrorText(const ApiError& error);
Tone figuresErrorTone(const ApiError& error);

class ServiceFiguresModel : public TableModel<ServiceRow> {
 public:
  enum Column { Service, Up, Rate, Errors, P99, Outbox, OutboxAge };
  using TableModel::TableModel;

  // Short headers keep the table narrow; the tooltip says what each figure is.
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  static Tone toneOf(const ServiceRow& row, int column);

 protected:
  QStringList headers() const override;
  QString keyOf(const ServiceRow& row) const override { return row.figures.job; }
  QVariant cell(const ServiceRow& row, int column, int role) const override;
};

class TopicFiguresModel : public TableModel<TopicRow> {
 public:
  enum Column { Service, Topic, Lag, DeadLetters, LastHour };
  using TableModel::TableModel;

  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  static Tone toneOf(const TopicRow& row, int column);

 protected:
  QStringList headers() const override;
  QString keyOf(const TopicRow& row) const override { return row.job + u'|' + row.topic; }
  QVariant cell(const TopicRow& row, int column, int role) const override;
};

}  // namespace storefront::admin

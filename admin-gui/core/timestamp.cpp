#include "core/timestamp.h"

#include <QRegularExpression>

namespace storefront::admin {

QDateTime parseTimestamp(const QJsonValue& value) {
  static const QRegularExpression kRfc3339(
      QStringLiteral(R"(^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$)"));
  const auto match = kRfc3339.match(value.toString().trimmed().toUpper());
  if (!match.hasMatch()) return {};
  // Qt reads milliseconds; finer digits are dropped rather than rounded (a display concern only).
  QString text = match.captured(1) + u'.' + match.captured(2).leftJustified(3, u'0').left(3) + match.captured(3);
  QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
  return time.isValid() ? time.toUTC() : QDateTime();
}

QString formatTimestamp(const QDateTime& time) {
  if (!time.isValid()) return {};
  return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString toRfc3339(const QDateTime& time) {
  return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + u'Z';
}

}  // namespace storefront::admin

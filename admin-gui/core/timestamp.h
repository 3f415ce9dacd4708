// RFC 3339 timestamps as the operator API sends them ("2024-05-01T12:00:00.123456Z"), shown to
// the operator in local time.
#pragma once

#include <QDateTime>
#include <QJsonValue>
#include <QString>

namespace storefront::admin {

// Accepts any number of fractional digits (protobuf prints 0, 3, 6 or 9) and a Z or +hh:mm
// offset; anything else, null included, gives an invalid QDateTime.
QDateTime parseTimestamp(const QJsonValue& value);

// "2024-05-01 14:00:00" in local time; "" for an invalid time.
QString formatTimestamp(const QDateTime& time);

// "2024-05-01T12:00:00Z": what query parameters such as created_after take.
QString toRfc3339(const QDateTime& time);

}  // namespace storefront::admin

// Money as the operator API carries it: an integer number of minor units and an ISO 4217 code.
// Never a float: formatting and parsing work on the integer digits, so 0.1 + 0.2 stays exact.
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace storefront::admin {

struct Money {
  qint64 amountMinor = 0;
  QString currency;  // empty when the API sent null

  // {"amount_minor": 1299, "currency": "USD"}; anything else gives an empty (invalid) Money.
  static Money fromJson(const QJsonValue& value);
  QJsonObject toJson() const;
  bool isValid() const { return currency.size() == 3; }

  friend bool operator==(const Money&, const Money&) = default;
};

// Digits after the decimal point: 0 for JPY, KRW, ...; 3 for BHD, KWD, ...; 2 otherwise.
int minorDigits(const QString& currency);

// "$1,234.56", "-€0.05", "¥1,200", "12.500 KWD"; an invalid Money formats as "—".
QString formatMoney(const Money& money);

// The amount without symbol or grouping, as an operator types it: "1234.56", "-0.05", "1200".
QString formatPlainAmount(qint64 amountMinor, const QString& currency);

// Parses what an operator types ("12", "12.5", "1,234.50", "-3") into minor units of
// `currency`. nullopt when it is not a number, has more decimals than the currency allows, or
// does not fit.
std::optional<qint64> parseAmount(const QString& text, const QString& currency);

}  // namespace storefront::admin

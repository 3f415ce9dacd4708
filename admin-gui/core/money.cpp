#include "core/money.h"

#include <QStringList>

#include <limits>

namespace storefront::admin {
namespace {

QString symbolOf(const QString& currency) {
  if (currency == u"USD") return QStringLiteral("$");
  if (currency == u"EUR") return QStringLiteral("€");
  if (currency == u"GBP") return QStringLiteral("£");
  if (currency == u"JPY") return QStringLiteral("¥");
  return {};
}

// "1234567" -> "1,234,567"
QString groupThousands(const QString& digits) {
  QString out;
  const qsizetype n = digits.size();
  for (qsizetype i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += u',';
    out += digits[i];
  }
  return out;
}

// Splits |amount| into whole and fraction digit strings. Works on the unsigned magnitude so the
// most negative qint64 does not overflow.
std::pair<QString, QString> splitDigits(qint64 amountMinor, int digits) {
  quint64 magnitude = amountMinor < 0 ? 0 - static_cast<quint64>(amountMinor) : static_cast<quint64>(amountMinor);
  quint64 scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  QString whole = QString::number(magnitude / scale);
  QString fraction = digits > 0 ? QString::number(magnitude % scale).rightJustified(digits, u'0') : QString();
  return {whole, fraction};
}

}  // namespace

Money Money::fromJson(const QJsonValue& value) {
  const QJsonObject object = value.toObject();
  if (!object.contains(u"amount_minor") || !object.value(u"currency").isString()) return {};
  return {object.value(u"amount_minor").toInteger(), object.value(u"currency").toString()};
}

QJsonObject Money::toJson() const {
  return {{QStringLiteral("amount_minor"), amountMinor}, {QStringLiteral("currency"), currency}};
}

int minorDigits(const QString& currency) {
  static const QStringList kNone = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
                                    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};
  static const QStringList kThree = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  if (kNone.contains(currency)) return 0;
  if (kThree.contains(currency)) return 3;
  return 2;
}

QString formatMoney(const Money& money) {
  if (!money.isValid()) return QStringLiteral("—");
  const auto [whole, fraction] = splitDigits(money.amountMinor, minorDigits(money.currency));
  QString number = groupThousands(whole);
  if (!fraction.isEmpty()) number += u'.' + fraction;
  const QString sign = money.amountMinor < 0 ? QStringLiteral("-") : QString();
  const QString symbol = symbolOf(money.currency);
  if (!symbol.isEmpty()) return sign + symbol + number;
  return sign + number + u' ' + money.currency;
}

QString formatPlainAmount(qint64 amountMinor, const QString& currency) {
  const auto [whole, fraction] = splitDigits(amountMinor, minorDigits(currency));
  QString text = (amountMinor < 0 ? QStringLiteral("-") : QString()) + whole;
  if (!fraction.isEmpty()) text += u'.' + fraction;
  return text;
}

std::optional<qint64> parseAmount(const QString& text, const QString& currency) {
  QString s = text.trimmed();
  bool negative = false;
  if (s.startsWith(u'-')) {
    negative = true;
    s = s.mid(1);
  }
  const qsizetype dot = s.indexOf(u'.');
  QString whole = dot < 0 ? s : s.left(dot);
  const QString fraction = dot < 0 ? QString() : s.mid(dot + 1);
  whole.remove(u',');  // grouping separators, only in the whole part
  const int digits = minorDigits(currency);
  if (whole.isEmpty() && fraction.isEmpty()) return std::nullopt;
  if (dot >= 0 && fraction.isEmpty()) return std::nullopt;  // "12." is a typo, not 12
  if (fraction.size() > digits) return std::nullopt;
  auto allDigits = [](const QString& part) {
    for (QChar c : part) {
      if (c < u'0' || c > u'9') return false;
    }
    return true;
  };
  if (!allDigits(whole) || !allDigits(fraction)) return std::nullopt;
  if (whole.size() > 15) return std::nullopt;  // keeps whole * 10^3 far inside qint64

  qint64 value = whole.isEmpty() ? 0 : whole.toLongLong();
  for (int i = 0; i < digits; ++i) value *= 10;
  if (!fraction.isEmpty()) value += fraction.leftJustified(digits, u'0').toLongLong();
  return negative ? -value : value;
}

}  // namespace storefront::admin

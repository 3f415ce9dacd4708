#include "core/money.h"

#include <QTest>

#include <limits>

#include "core/testing/test_registry.h"

namespace storefront::admin {

class MoneyTest : public QObject {
  Q_OBJECT

 private slots:
  void formatsMinorUnitsWithTheCurrencysDigits_data() {
    QTest::addColumn<qint64>("minor");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<QString>("text");
    QTest::newRow("dollars") << qint64(1299) << "USD" << "$12.99";
    QTest::newRow("zero") << qint64(0) << "USD" << "$0.00";
    QTest::newRow("cents only") << qint64(5) << "EUR" << "€0.05";
    QTest::newRow("negative") << qint64(-5) << "EUR" << "-€0.05";
    QTest::newRow("thousands") << qint64(123456789) << "GBP" << "£1,234,567.89";
    QTest::newRow("no minor unit") << qint64(1200) << "JPY" << "¥1,200";
    QTest::newRow("three digits") << qint64(12500) << "KWD" << "12.500 KWD";
    QTest::newRow("no symbol") << qint64(100000) << "CHF" << "1,000.00 CHF";
  }
  void formatsMinorUnitsWithTheCurrencysDigits() {
    QFETCH(qint64, minor);
    QFETCH(QString, currency);
    QFETCH(QString, text);
    QCOMPARE(formatMoney({minor, currency}), text);
  }

  void theExtremesFormatWithoutOverflow() {
    QCOMPARE(formatMoney({std::numeric_limits<qint64>::min(), "USD"}), QStringLiteral("-$92,233,720,368,547,758.08"));
    QCOMPARE(formatMoney({std::numeric_limits<qint64>::max(), "USD"}), QStringLiteral("$92,233,720,368,547,758.07"));
  }

  void aMissingCurrencyIsADashNotZero() { QCOMPARE(formatMoney({}), QStringLiteral("—")); }

  void parsesWhatAnOperatorTypes_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<qint64>("minor");  // -1 for "rejected"
    QTest::newRow("whole") << "12" << "USD" << qint64(1200);
    QTest::newRow("one decimal") << "12.5" << "USD" << qint64(1250);
    QTest::newRow("two decimals") << "0.05" << "USD" << qint64(5);
    QTest::newRow("grouped") << "1,234.50" << "USD" << qint64(123450);
    QTest::newRow("spaces") << "  7.00 " << "USD" << qint64(700);
    QTest::newRow("fraction only") << ".5" << "USD" << qint64(50);
    QTest::newRow("yen") << "1200" << "JPY" << qint64(1200);
    QTest::newRow("too many decimals") << "1.234" << "USD" << qint64(-1);
    QTest::newRow("yen decimals") << "1.5" << "JPY" << qint64(-1);
    QTest::newRow("letters") << "12a" << "USD" << qint64(-1);
    QTest::newRow("empty") << "" << "USD" << qint64(-1);
    QTest::newRow("trailing dot") << "12." << "USD" << qint64(-1);
    QTest::newRow("exponent") << "1e3" << "USD" << qint64(-1);
    QTest::newRow("too large") << "1234567890123456" << "USD" << qint64(-1);
  }
  void parsesWhatAnOperatorTypes() {
    QFETCH(QString, text);
    QFETCH(QString, currency);
    QFETCH(qint64, minor);
    const auto parsed = parseAmount(text, currency);
    if (minor < 0) {
      QVERIFY2(!parsed.has_value(), qPrintable(text));
    } else {
      QVERIFY2(parsed.has_value(), qPrintable(text));
      QCOMPARE(*parsed, minor);
    }
  }

  void aNegativeAmountParsesSoValidationCanNameIt() { QCOMPARE(parseAmount("-3", "USD"), std::optional<qint64>(-300)); }

  void plainAmountRoundTrips() {
    QCOMPARE(formatPlainAmount(123450, "USD"), QStringLiteral("1234.50"));
    QCOMPARE(parseAmount(formatPlainAmount(123450, "USD"), "USD"), std::optional<qint64>(123450));
    QCOMPARE(formatPlainAmount(-7, "USD"), QStringLiteral("-0.07"));
  }
};

ADMIN_TEST(MoneyTest);

}  // namespace storefront::admin

#include "money_test.moc"

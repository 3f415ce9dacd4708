#include "app/pages/products_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QTableView>
#include <QTest>

#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

class ProductsPageTest : public QObject {
  Q_OBJECT

 private slots:
  void theFilterBoxNarrowsTheTable() {
    ApiClient api;
    ProductsPage page(&api);
    QList<Product> products;
    for (const QByteArray& json : {testing::kProductsPage1, testing::kProductsPage2}) {
      for (const auto& item : testing::objectOf(json)["items"].toArray()) products << Product::fromJson(item.toObject());
    }
    page.model()->setRows(products);
    QAbstractItemModel* shown = page.view()->model();
    QCOMPARE(shown->rowCount(), 3);

    QTest::keyClicks(page.filterEdit(), "AUD");
    QCOMPARE(shown->rowCount(), 2);

    page.inactiveCheck()->setChecked(false);  // Headphones is inactive
    QCOMPARE(shown->rowCount(), 1);
    QCOMPARE(shown->index(0, ProductsModel::Name).data().toString(), QStringLiteral("Speaker"));

    page.filterEdit()->clear();
    page.inactiveCheck()->setChecked(true);
    QCOMPARE(shown->rowCount(), 3);
  }

  void headersSortByValueNotText() {
    ApiClient api;
    ProductsPage page(&api);
    QList<Product> products;
    for (const QByteArray& json : {testing::kProductsPage1, testing::kProductsPage2}) {
      for (const auto& item : testing::objectOf(json)["items"].toArray()) products << Product::fromJson(item.toObject());
    }
    page.model()->setRows(products);
    page.view()->sortByColumn(ProductsModel::Price, Qt::AscendingOrder);
    QAbstractItemModel* shown = page.view()->model();
    QCOMPARE(shown->index(0, ProductsModel::Price).data().toString(), QStringLiteral("$9.00"));
    QCOMPARE(shown->index(2, ProductsModel::Price).data().toString(), QStringLiteral("$129.00"));
  }
};

ADMIN_TEST(ProductsPageTest);

}  // namespace storefront::admin

#include "products_page_test.moc"

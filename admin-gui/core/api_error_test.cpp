#include "core/api_error.h"

#include <QTest>

#include "core/testing/samples.h"
#include "core/testing/test_registry.h"

namespace storefront::admin {

class ApiErrorTest : public QObject {
  Q_OBJECT

 private slots:
  void formatsTitleDetailAndFields() {
    QCOMPARE(formatProblem("Invalid request", "2 fields are invalid",
                           {{"sku", "must be 3 to 32 characters"}, {"name", "is required"}}),
             QStringLiteral("Invalid request: 2 fields are invalid (sku: must be 3 to 32 characters, name: is required)"));
  }

  void aDetailThatOnlyRepeatsTheFieldsIsNotSaidTwice() {
    QCOMPARE(formatProblem("Invalid request", "sku: bad; name: is required", {{"sku", "bad"}, {"name", "is required"}}),
             QStringLiteral("Invalid request (sku: bad, name: is required)"));
  }

  void titleAndDetailWithoutFields() {
    QCOMPARE(formatProblem("Conflict", "the order has shipped", {}), QStringLiteral("Conflict: the order has shipped"));
    QCOMPARE(formatProblem("Not found", "", {}), QStringLiteral("Not found"));
    QCOMPARE(formatProblem("", "no title here", {}, "HTTP 500"), QStringLiteral("HTTP 500: no title here"));
  }

  void parsesAProblemJsonBody() {
    const ApiError error = ApiError::fromHttp(400, "Bad Request", testing::kInvalidProductProblem);
    QCOMPARE(error.kind, ApiError::Kind::Http);
    QCOMPARE(error.httpStatus, 400);
    QCOMPARE(error.requestId, QStringLiteral("req-7"));
    QCOMPARE(error.fieldErrors.size(), 2);
    QCOMPARE(error.detailFor("sku"), QStringLiteral("must be 3 to 32 characters of A-Z, 0-9 and -"));
    QCOMPARE(error.message(),
             QStringLiteral("Invalid request (sku: must be 3 to 32 characters of A-Z, 0-9 and -, "
                            "price.amount_minor: must be between 0 and 10000000000 minor units)"));
  }

  void theProblemDocumentIsKeptForItsTypeAndExtensions() {
    const ApiError error = ApiError::fromHttp(503, "Service Unavailable", testing::kPrometheusUnreachable);
    QCOMPARE(error.problem.value(u"type").toString(),
             QStringLiteral("https://storefront.dev/problems/observability-unavailable"));
    QCOMPARE(error.problem.value(u"prometheus_url").toString(), QStringLiteral("http://127.0.0.1:9090"));
    QVERIFY(ApiError::fromHttp(502, "Bad Gateway", "<html>proxy</html>").problem.isEmpty());
  }

  void describeAddsTheOperationAndRequestId() {
    ApiError error = ApiError::fromHttp(409, "Conflict", testing::kConflictProblem);
    error.operation = "POST /api/v1/admin/orders/o1/cancel";
    QCOMPARE(error.describe(), QStringLiteral("POST /api/v1/admin/orders/o1/cancel — Conflict: the order has shipped "
                                              "and can no longer be cancelled [request req-9]"));
  }

  void aBodyThatIsNotAProblemStillSaysWhatHappened() {
    QCOMPARE(ApiError::fromHttp(502, "Bad Gateway", "<html><body>nginx</body></html>").message(),
             QStringLiteral("HTTP 502 Bad Gateway"));
    QCOMPARE(ApiError::fromHttp(503, "Service Unavailable", "try later").message(),
             QStringLiteral("HTTP 503 Service Unavailable: try later"));
    QCOMPARE(ApiError::fromHttp(500, "", "").message(), QStringLiteral("HTTP 500"));
  }

  void failuresWithoutAnAnswerHaveWordsToo() {
    QCOMPARE(ApiError::network("Connection refused").message(),
             QStringLiteral("Cannot reach the gateway: Connection refused"));
    QCOMPARE(ApiError::timeout(10000).message(), QStringLiteral("The gateway did not answer: no response within 10 s"));
    QCOMPARE(ApiError::timeout(250).message(), QStringLiteral("The gateway did not answer: no response within 250 ms"));
    QCOMPARE(ApiError::badResponse("the body is not JSON").message(),
             QStringLiteral("Unexpected answer from the gateway: the body is not JSON"));
  }
};

ADMIN_TEST(ApiErrorTest);

}  // namespace storefront::admin

#include "api_error_test.moc"

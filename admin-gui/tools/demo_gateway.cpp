// storefront-admin-demo-gateway: the tests' FakeGateway answering the operator API from one JSON
// file of made-up answers (tools/demo-gateway.json), so the console can be tried, and its pages
// pictured, without a store. Nothing is stored and every answer is the same each time.
//
//   storefront-admin-demo-gateway [--port N] [FILE]
//
// FILE maps "METHOD /path" to {"status": 200, "body": {...}}; members starting with "_" are
// comments. The query string is ignored (every filter gets the same list). Prints
// "demo gateway: http://127.0.0.1:N" once it listens; Ctrl-C stops it.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include "core/testing/fake_gateway.h"

using storefront::admin::testing::FakeGateway;

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QCommandLineParser parser;
  parser.setApplicationDescription("Answers the operator API with made-up data, for screenshots and demos.");
  parser.addHelpOption();
  const QCommandLineOption port("port", "Port on 127.0.0.1 (0: any free one).", "N", "18080");
  parser.addOption(port);
  parser.addPositionalArgument("file", "The answers (default: demo-gateway.json beside this source).");
  parser.process(app);

  const QString path = parser.positionalArguments().value(0, QStringLiteral(STOREFRONT_DEMO_GATEWAY_JSON));
  QFile file(path);
  QTextStream err(stderr);
  if (!file.open(QIODevice::ReadOnly)) {
    err << "demo gateway: cannot read " << path << "\n";
    return 2;
  }
  QJsonParseError error;
  const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
  if (!document.isObject()) {
    err << "demo gateway: " << path << " is not a JSON object: " << error.errorString() << "\n";
    return 2;
  }

  FakeGateway gateway;
  const QJsonObject routes = document.object();
  for (auto it = routes.begin(); it != routes.end(); ++it) {
    if (it.key().startsWith(u'_')) continue;
    const QStringList route = it.key().split(u' ');
    const QJsonObject answer = it.value().toObject();
    if (route.size() != 2 || !answer.contains(u"body")) {
      err << "demo gateway: " << it.key() << " is not \"METHOD /path\": {\"status\", \"body\"}\n";
      return 2;
    }
    const int status = answer.value(u"status").toInt(200);
    const QByteArray body = QJsonDocument(answer.value(u"body").toObject()).toJson(QJsonDocument::Compact);
    gateway.on(route[0].toLatin1(), route[1],
               status >= 400 ? FakeGateway::problem(status, body) : FakeGateway::json(status, body));
  }
  if (!gateway.listen(quint16(parser.value(port).toUInt()))) {
    err << "demo gateway: cannot listen on 127.0.0.1:" << parser.value(port) << "\n";
    return 1;
  }
  QTextStream(stdout) << "demo gateway: " << gateway.url().toString() << Qt::endl;
  return app.exec();
}

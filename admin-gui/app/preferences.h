// What the console remembers between runs (QSettings): the gateway URL, the last email and the
// window geometry. Never the password or the token: those live in memory only.
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>

namespace storefront::admin {

class Preferences {
 public:
  static constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

  QString gatewayUrl() const;
  void setGatewayUrl(const QString& url);
  QString email() const;
  void setEmail(const QString& email);
  QByteArray windowGeometry() const;
  void setWindowGeometry(const QByteArray& geometry);

 private:
  QSettings settings_{QStringLiteral("Storefront"), QStringLiteral("storefront-admin")};
};

}  // namespace storefront::admin

#include "app/preferences.h"

namespace storefront::admin {

QString Preferences::gatewayUrl() const {
  return settings_.value(QStringLiteral("gateway/url"), QString::fromLatin1(kDefaultUrl)).toString();
}
void Preferences::setGatewayUrl(const QString& url) { settings_.setValue(QStringLiteral("gateway/url"), url); }

QString Preferences::email() const { return settings_.value(QStringLiteral("gateway/email")).toString(); }
void Preferences::setEmail(const QString& email) { settings_.setValue(QStringLiteral("gateway/email"), email); }

QByteArray Preferences::windowGeometry() const {
  return settings_.value(QStringLiteral("window/geometry")).toByteArray();
}
void Preferences::setWindowGeometry(const QByteArray& geometry) {
  settings_.setValue(QStringLiteral("window/geometry"), geometry);
}

}  // namespace storefront::admin

#include "common_proto.h"

namespace storefront::checkout {

void ToProto(const domain::Money& money, storefront::common::v1::Money* out) {
  out->set_amount_minor(money.amount_minor);
  out->set_currency(money.currency);
}

void ToProto(const domain::Address& a, storefront::common::v1::Address* out) {
  out->set_name(a.name);
  out->set_line1(a.line1);
  out->set_line2(a.line2);
  out->set_city(a.city);
  out->set_region(a.region);
  out->set_postal_code(a.postal_code);
  out->set_country(a.country);
}

domain::Money FromProto(const storefront::common::v1::Money& money) {
  return {money.amount_minor(), money.currency()};
}

domain::Address FromProto(const storefront::common::v1::Address& a) {
  return {a.name(), a.line1(), a.line2(), a.city(), a.region(), a.postal_code(), a.country()};
}

}  // namespace storefront::checkout

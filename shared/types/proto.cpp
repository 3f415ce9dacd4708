#include "shared/types/proto.h"

#include <algorithm>
#include <chrono>

#include <google/protobuf/util/time_util.h>

namespace storefront::types {

using google::protobuf::util::TimeUtil;

void ToProto(const Money& money, storefront::common::v1::Money* out) {
  out->set_amount_minor(money.amount_minor);
  out->set_currency(money.currency);
}

Money FromProto(const storefront::common::v1::Money& money) { return {money.amount_minor(), money.currency()}; }

void ToProto(const Address& a, storefront::common::v1::Address* out) {
  out->set_name(a.name);
  out->set_line1(a.line1);
  out->set_line2(a.line2);
  out->set_city(a.city);
  out->set_region(a.region);
  out->set_postal_code(a.postal_code);
  out->set_country(a.country);
}

Address FromProto(const storefront::common::v1::Address& a) {
  return {a.name(), a.line1(), a.line2(), a.city(), a.region(), a.postal_code(), a.country()};
}

google::protobuf::Timestamp ToProto(Timestamp at) { return TimeUtil::MicrosecondsToTimestamp(ToMicros(at)); }

std::optional<Timestamp> FromProto(const google::protobuf::Timestamp& at) {
  // Whole seconds inside Timestamp's range: nanosecond arithmetic on anything beyond it overflows
  // (a sales report asked from year 564 ran on a range nobody had asked for, found by fuzzing).
  static const std::int64_t kMin =
      std::chrono::duration_cast<std::chrono::seconds>(Timestamp::min().time_since_epoch()).count() + 1;
  static const std::int64_t kMax =
      std::chrono::duration_cast<std::chrono::seconds>(Timestamp::max().time_since_epoch()).count() - 1;
  if (at.seconds() < std::max<std::int64_t>(TimeUtil::kTimestampMinSeconds, kMin) ||
      at.seconds() > std::min<std::int64_t>(TimeUtil::kTimestampMaxSeconds, kMax) || at.nanos() < 0 ||
      at.nanos() > 999'999'999) {
    return std::nullopt;
  }
  return FromMicros(TimeUtil::TimestampToMicroseconds(at));
}

}  // namespace storefront::types

// The kernel's values to and from their proto messages (storefront.common.v1 and
// google.protobuf.Timestamp), for the api/ and clients/ layers of every service and the gateway.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <optional>

#include "shared/types/address.h"
#include "shared/types/money.h"
#include "shared/types/time.h"
#include "storefront/common/v1/address.pb.h"
#include "storefront/common/v1/money.pb.h"

namespace storefront::types {

void ToProto(const Money& money, storefront::common::v1::Money* out);
Money FromProto(const storefront::common::v1::Money& money);

void ToProto(const Address& address, storefront::common::v1::Address* out);
Address FromProto(const storefront::common::v1::Address& address);

// Whole microseconds: finer parts of a time point are dropped, as PostgreSQL does.
google::protobuf::Timestamp ToProto(Timestamp at);
// A timestamp someone sent, when a Timestamp can hold it (std::chrono::system_clock counts
// nanoseconds in 64 bits: 1677-09-21 .. 2262-04-11, inside what RFC 3339 allows) and its nanos
// are in 0..999999999; nullopt otherwise, so an absurd value never reaches arithmetic.
std::optional<Timestamp> FromProto(const google::protobuf::Timestamp& at);

}  // namespace storefront::types

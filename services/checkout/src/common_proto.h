// The checkout's domain money and address to and from storefront.common.v1, used by the gRPC
// API, the clients of the other services and the events it publishes.
#pragma once

#include "domain/order.h"
#include "storefront/common/v1/address.pb.h"
#include "storefront/common/v1/money.pb.h"

namespace storefront::checkout {

void ToProto(const domain::Money& money, storefront::common::v1::Money* out);
void ToProto(const domain::Address& address, storefront::common::v1::Address* out);
domain::Money FromProto(const storefront::common::v1::Money& money);
domain::Address FromProto(const storefront::common::v1::Address& address);

}  // namespace storefront::checkout

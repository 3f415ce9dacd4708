#include "shared/rpc/target.h"

#include <gtest/gtest.h>

#include "shared/config/env.h"

namespace storefront::rpc {
namespace {

TEST(ChannelTargetTest, AListOfIpAddressesBecomesTheUriOfItsFamily) {
  EXPECT_EQ(ChannelTarget("127.0.0.1:50051,127.0.0.1:50061"), "ipv4:127.0.0.1:50051,127.0.0.1:50061");
  EXPECT_EQ(ChannelTarget("10.0.0.1:1,10.0.0.2:1,10.0.0.3:1"), "ipv4:10.0.0.1:1,10.0.0.2:1,10.0.0.3:1");
  EXPECT_EQ(ChannelTarget("[::1]:50051,[::1]:50061"), "ipv6:[::1]:50051,[::1]:50061");
}

TEST(ChannelTargetTest, OneAddressAndGrpcUrisStayAsTheyAre) {
  // One name goes to gRPC's default dns resolver, which returns every address the name has.
  for (const char* setting : {"catalog:50051", "127.0.0.1:50051", "[::1]:50051", "dns:///catalog:50051",
                              "ipv4:127.0.0.1:50051,127.0.0.1:50061", "ipv6:[::1]:50051"}) {
    EXPECT_EQ(ChannelTarget(setting), setting);
  }
}

TEST(ChannelTargetTest, AListOfHostNamesIsRefusedWithTheWayToWriteIt) {
  try {
    ChannelTarget("catalog-1:50051,catalog-2:50051");
    FAIL() << "a list of names has no gRPC target";
  } catch (const config::ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("write dns:///catalog-1:50051"), std::string::npos) << error.what();
  }
  EXPECT_THROW(ChannelTarget("127.0.0.1:1,[::1]:2"), config::ConfigError);
  EXPECT_THROW(ChannelTarget("catalog"), config::ConfigError);
}

}  // namespace
}  // namespace storefront::rpc

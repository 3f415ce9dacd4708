#include "shared/types/digest.h"

#include <gtest/gtest.h>

namespace storefront::types {
namespace {

// Expected values from Python's hashlib (sha256, blake2b with digest_size).
TEST(DigestTest, Sha256HexIsTheStandardDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, Blake2bHexHasTheAskedLength) {
  EXPECT_EQ(Blake2bHex("abc", 16), "cf4ab791c62b8d2b2109c90275287816");
  EXPECT_EQ(Blake2bHex("abc", 8), "d8bb14d833d59559");
  EXPECT_EQ(Blake2bHex("", 32), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_THROW(Blake2bHex("abc", 0), std::invalid_argument);
  EXPECT_THROW(Blake2bHex("abc", 65), std::invalid_argument);
}

}  // namespace
}  // namespace storefront::types

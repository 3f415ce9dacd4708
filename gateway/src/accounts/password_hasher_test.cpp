#include "accounts/password_hasher.h"

#include <gtest/gtest.h>

namespace storefront::gateway::accounts {
namespace {

TEST(PasswordHasherTest, HashesWithArgon2idAtTheInteractiveCost) {
  Argon2idHasher hasher;
  auto hash = hasher.Hash("correct horse battery staple");
  // libsodium's INTERACTIVE limits: 64 MiB (m is in KiB), 2 passes, 1 lane.
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(hasher.Verify(hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(hash, "correct horse battery stapler"));
  EXPECT_FALSE(hasher.Verify(hash, ""));
}

TEST(PasswordHasherTest, SaltsEveryHash) {
  Argon2idHasher hasher;
  auto first = hasher.Hash("same password");
  auto second = hasher.Hash("same password");
  EXPECT_NE(first, second);
  EXPECT_TRUE(hasher.Verify(second, "same password"));
}

TEST(PasswordHasherTest, MalformedHashesNeverVerify) {
  Argon2idHasher hasher;
  EXPECT_FALSE(hasher.Verify("", "password"));
  EXPECT_FALSE(hasher.Verify("plaintext-password", "plaintext-password"));
  EXPECT_FALSE(hasher.Verify("$argon2id$v=19$m=65536,t=2,p=1$garbage", "password"));
  EXPECT_FALSE(hasher.Verify(std::string(1000, '$'), "password"));
}

TEST(PasswordHasherTest, PasswordsAreBytesNotCStrings) {
  Argon2idHasher hasher;
  auto hash = hasher.Hash(std::string("pass\0word", 9));
  EXPECT_TRUE(hasher.Verify(hash, std::string("pass\0word", 9)));
  EXPECT_FALSE(hasher.Verify(hash, "pass"));
}

}  // namespace
}  // namespace storefront::gateway::accounts

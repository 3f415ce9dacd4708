#include "auth/require.h"

#include <gtest/gtest.h>

namespace storefront::gateway::auth {
namespace {

TEST(ParseBearerTest, TakesTheTokenOfABearerCredential) {
  EXPECT_EQ(ParseBearer("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(ParseBearer("bearer abc.def.ghi"), "abc.def.ghi");  // the scheme is case-insensitive
  EXPECT_EQ(ParseBearer("BEARER   abc.def-_~+/=="), "abc.def-_~+/==");
  EXPECT_EQ(ParseBearer("Bearer abc.def.ghi  "), "abc.def.ghi");
}

TEST(ParseBearerTest, RefusesEverythingElse) {
  for (const char* value : {"", "Bearer", "Bearer ", "Bearer    ", "Basic YWRhOnB3", "Bearerabc.def", "Token abc",
                            "Bearer abc def", "Bearer abc,def", "Bearer ab=c", "Bearer \"abc\"", " Bearer abc",
                            "Bearer abc\tdef", "Bearer abc\r\n"}) {
    EXPECT_FALSE(ParseBearer(value)) << value;
  }
}

}  // namespace
}  // namespace storefront::gateway::auth

#include "shared/paging/page_size.h"

#include <gtest/gtest.h>

namespace storefront::paging {
namespace {

TEST(PageSizeTest, ZeroMeansTheDefaultAndOneToOneHundredIsTakenAsAsked) {
  Violations violations;
  EXPECT_EQ(PageSize(0, violations), kDefaultPageSize);
  EXPECT_EQ(PageSize(1, violations), 1);
  EXPECT_EQ(PageSize(100, violations), 100);
  EXPECT_TRUE(violations.empty());
}

TEST(PageSizeTest, ANegativeOrTooLargeSizeIsAViolationNamedPageSize) {
  for (int bad : {-1, 101, 1'000'000}) {
    Violations violations;
    EXPECT_EQ(PageSize(bad, violations), kDefaultPageSize) << bad;
    EXPECT_EQ(violations.fields(), (std::vector<std::string>{"page_size"})) << bad;
  }
}

}  // namespace
}  // namespace storefront::paging

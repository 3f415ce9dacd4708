#include "http/router.h"

#include <gtest/gtest.h>

namespace storefront::gateway::http {
namespace {

using Pistache::Http::Method;

TEST(RouterTest, MatchesLiteralAndParameterSegments) {
  Router<int> router;
  router.Add(Method::Get, "/api/v1/products", 1);
  router.Add(Method::Get, "/api/v1/products/:id", 2);
  auto list = router.Find(Method::Get, "/api/v1/products");
  ASSERT_TRUE(list.handler);
  EXPECT_EQ(*list.handler, 1);
  auto one = router.Find(Method::Get, "/api/v1/products/abc%20d");
  ASSERT_TRUE(one.handler);
  EXPECT_EQ(*one.handler, 2);
  EXPECT_EQ(one.params.at("id"), "abc%20d");
}

TEST(RouterTest, UnknownPathsDoNotMatch) {
  Router<int> router;
  router.Add(Method::Get, "/api/v1/products/:id", 2);
  EXPECT_FALSE(router.Find(Method::Get, "/api/v1/products").handler);
  EXPECT_FALSE(router.Find(Method::Get, "/api/v1/products/").handler);
  EXPECT_FALSE(router.Find(Method::Get, "/api/v1/products/a/b").handler);
  EXPECT_FALSE(router.Find(Method::Get, "/api/v1/productsx/a").handler);
  EXPECT_FALSE(router.Find(Method::Get, "").handler);
}

TEST(RouterTest, ReportsAllowedMethodsForA405) {
  Router<int> router;
  router.Add(Method::Get, "/api/v1/cart", 1);
  router.Add(Method::Delete, "/api/v1/cart", 2);
  auto match = router.Find(Method::Post, "/api/v1/cart");
  EXPECT_FALSE(match.handler);
  EXPECT_EQ(match.allowed, (std::vector<Method>{Method::Get, Method::Delete}));
}

}  // namespace
}  // namespace storefront::gateway::http

#include "shared/trace/context.h"

#include <gtest/gtest.h>

namespace storefront::trace {
namespace {

constexpr std::string_view kExample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceContextTest, ATraceparentFromTheSpecificationRoundTrips) {
  auto context = ParseTraceparent(kExample);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->SpanIdHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(context->sampled);
  EXPECT_EQ(context->Traceparent(), kExample);
}

TEST(TraceContextTest, TheSampledFlagIsBitZeroOfTheFlags) {
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled);
  EXPECT_TRUE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")->sampled);
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02")->sampled);
}

TEST(TraceContextTest, MalformedTraceparentsAreRejected) {
  for (std::string_view bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // uppercase
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero span id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff is invalid
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // version 00 has no more fields
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // separator
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",    // flags not hex
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(TraceContextTest, ALaterVersionIsReadForItsFirstFourFields) {
  auto context = ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next");
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x").has_value());
}

TEST(TraceContextTest, NewIdsAreNeverZeroAndDiffer) {
  auto first = NewTraceId();
  auto second = NewTraceId();
  EXPECT_NE(first, second);
  EXPECT_NE(first, (std::array<std::uint8_t, 16>{}));
  EXPECT_NE(NewSpanId(), (std::array<std::uint8_t, 8>{}));
  SpanContext context{.trace_id = first, .span_id = NewSpanId(), .sampled = true};
  EXPECT_TRUE(IsTraceIdHex(context.TraceIdHex()));
  EXPECT_FALSE(IsTraceIdHex("4BF92F3577B34DA6A3CE929D0E0E4736"));
}

TEST(TraceContextTest, AScopeMakesAContextCurrentAndRestoresTheOneBefore) {
  EXPECT_EQ(Current(), nullptr);
  auto outer = *ParseTraceparent(kExample);
  {
    ContextScope first(outer);
    ASSERT_NE(Current(), nullptr);
    EXPECT_EQ(Current()->SpanIdHex(), "00f067aa0ba902b7");
    {
      ContextScope none(std::optional<SpanContext>{});
      EXPECT_EQ(Current(), nullptr);
    }
    EXPECT_EQ(Current()->SpanIdHex(), "00f067aa0ba902b7");
  }
  EXPECT_EQ(Current(), nullptr);
}

}  // namespace
}  // namespace storefront::trace

#include "http/json_fields.h"

#include <gtest/gtest.h>

namespace storefront::gateway::http {
namespace {

TEST(JsonFieldsTest, ReadsValidFields) {
  auto body = nlohmann::json::parse(R"({"product_id": "abc", "quantity": 3, "address": {"city": "Oslo"}})");
  std::vector<FieldError> errors;
  JsonFields fields(&body, "", errors);
  EXPECT_EQ(fields.String("product_id", 1, 10), "abc");
  EXPECT_EQ(fields.Integer("quantity", 1, 99), 3);
  EXPECT_EQ(fields.Object("address").String("city", 1, 50), "Oslo");
  EXPECT_TRUE(errors.empty());
}

TEST(JsonFieldsTest, NamesEveryMissingOrWrongFieldWithItsPath) {
  auto body = nlohmann::json::parse(R"({"quantity": "3", "count": 1e3, "big": 18446744073709551615,
                                        "name": "a\u0000b", "address": {"city": ""}})");
  std::vector<FieldError> errors;
  JsonFields fields(&body, "", errors);
  fields.String("product_id", 1, 10);
  fields.Integer("quantity", 1, 99);
  fields.Integer("count", 1, 99);
  fields.Integer("big", 1, 99);
  fields.String("name", 1, 10);
  fields.Object("address").String("city", 1, 50);
  fields.Object("payment").String("cvc", 3, 4);
  std::vector<std::string> names;
  for (const auto& e : errors) names.push_back(e.field);
  EXPECT_EQ(names, (std::vector<std::string>{"product_id", "quantity", "count", "big", "name", "address.city",
                                             "payment", "payment.cvc"}));
}

TEST(JsonFieldsTest, ANonObjectBodyHasEveryFieldMissing) {
  auto body = nlohmann::json::parse("[1, 2]");
  std::vector<FieldError> errors;
  JsonFields fields(&body, "", errors);
  fields.Integer("quantity", 1, 99);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].detail, "is required");
  JsonFields none(nullptr, "", errors);
  none.String("x", 1, 2);
  EXPECT_EQ(errors.size(), 2u);
}

TEST(JsonFieldsTest, BooleansPresenceMultilineTextAndNames) {
  auto body = nlohmann::json::parse(R"({"active": false, "flag": "yes", "note": "line 1\nline 2", "gone": null})");
  std::vector<FieldError> errors;
  JsonFields fields(&body, "", errors);
  EXPECT_FALSE(fields.Boolean("active"));
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(fields.Has("active"));
  EXPECT_FALSE(fields.Has("gone")) << "null counts as absent";
  EXPECT_FALSE(fields.Has("missing"));
  EXPECT_EQ(fields.String("note", 0, 50, true, /*multiline=*/true), "line 1\nline 2");
  EXPECT_TRUE(errors.empty());
  fields.String("note", 0, 50);  // a one-line field refuses the newline
  fields.Boolean("flag");
  fields.Boolean("missing");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "note");
  EXPECT_EQ(errors[1].field, "flag");
  EXPECT_EQ(errors[1].detail, "must be true or false");
  EXPECT_EQ(errors[2].detail, "is required");
  EXPECT_EQ(fields.Names(), (std::vector<std::string>{"active", "flag", "gone", "note"}));
}

TEST(JsonFieldsTest, VerbatimTakesAnyStringAsSent) {
  auto body = nlohmann::json::parse(R"({"password": " a\u0001z ", "empty": "", "number": 42, "gone": null})");
  std::vector<FieldError> errors;
  JsonFields fields(&body, "", errors);
  EXPECT_EQ(fields.Verbatim("password"), std::string(" a\x01z "));
  EXPECT_EQ(fields.Verbatim("empty"), "");
  EXPECT_TRUE(errors.empty());
  fields.Verbatim("number");
  fields.Verbatim("gone");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "number");
  EXPECT_EQ(errors[0].detail, "must be a string");
  EXPECT_EQ(errors[1].field, "gone");
  EXPECT_EQ(errors[1].detail, "is required");
}

}  // namespace
}  // namespace storefront::gateway::http

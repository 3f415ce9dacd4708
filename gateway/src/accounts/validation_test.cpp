#include "accounts/validation.h"

#include <gtest/gtest.h>

namespace storefront::gateway::accounts {
namespace {

std::vector<std::string> InvalidFields(std::string_view email, std::string_view password, std::string_view name) {
  try {
    ValidateRegistration(email, password, name);
  } catch (const InvalidArgument& error) {
    std::vector<std::string> fields;
    for (const auto& violation : error.violations()) fields.push_back(violation.field);
    return fields;
  }
  return {};
}

using Fields = std::vector<std::string>;

TEST(ValidationTest, NormalisesEmailAndName) {
  auto account = ValidateRegistration("  Ada.Lovelace@Example.COM\t", "correct horse", "  Ada Lovelace ");
  EXPECT_EQ(account.email, "ada.lovelace@example.com");
  EXPECT_EQ(account.name, "Ada Lovelace");
  EXPECT_EQ(account.password, "correct horse");  // passwords are taken exactly as typed
}

TEST(ValidationTest, NamesEveryInvalidField) {
  EXPECT_EQ(InvalidFields("not-an-email", "short", ""), (Fields{"email", "password", "name"}));
  EXPECT_EQ(InvalidFields("ada@example.com", "short", "Ada"), (Fields{"password"}));
  try {
    ValidateRegistration("ada@example.com", "short", "Ada");
  } catch (const InvalidArgument& error) {
    EXPECT_EQ(std::string(error.what()), "password: must be between 8 and 128 characters");
  }
}

TEST(ValidationTest, AcceptsOrdinaryEmails) {
  for (const char* email : {"a@b.co", "ada@example.com", "first.last+tag@mail.example.org", "o'neil@example.ie",
                            "x_y-z@sub-domain.example.com", "1234@123.example", "operator@storefront.local"}) {
    EXPECT_EQ(CheckEmail(email), "") << email;
  }
}

TEST(ValidationTest, RefusesMalformedEmails) {
  for (const char* email : {"", "ada", "ada@", "@example.com", "ada@@example.com", "a@b@example.com",
                            "ada@example", ".ada@example.com", "ada.@example.com", "a..da@example.com",
                            "ada@-example.com", "ada@example-.com", "ada@example..com", "ada@.example.com",
                            "ada@example.com.", "ada lovelace@example.com", "ada@exa mple.com", "\"ada\"@example.com",
                            "ada@[127.0.0.1]", "adá@example.com", "ada@exämple.com", "ada@example.com\n",
                            "ada(comment)@example.com"}) {
    EXPECT_NE(CheckEmail(email), "") << email;
  }
}

TEST(ValidationTest, EmailLengthLimits) {
  std::string local64(64, 'a');
  EXPECT_EQ(CheckEmail(local64 + "@example.com"), "");
  EXPECT_NE(CheckEmail(local64 + "a@example.com"), "");
  EXPECT_NE(CheckEmail("ada@" + std::string(64, 'b') + ".com"), "");  // a label is at most 63
  // 254 characters in all is the most.
  std::string domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." + std::string(63, 'd') + ".";
  std::string at_limit = std::string(254 - 1 - domain.size() - 2, 'a') + "@" + domain + "io";
  ASSERT_EQ(at_limit.size(), 254u);
  EXPECT_EQ(CheckEmail(at_limit), "");
  EXPECT_NE(CheckEmail("a" + at_limit), "");
  EXPECT_EQ(InvalidFields("  " + at_limit + "  ", "password1", "Ada"), Fields{});  // trimmed first
}

TEST(ValidationTest, PasswordLengthCountsCharactersNotBytes) {
  EXPECT_NE(CheckPassword("1234567"), "");
  EXPECT_EQ(CheckPassword("12345678"), "");
  EXPECT_EQ(CheckPassword(std::string(128, 'p')), "");
  EXPECT_NE(CheckPassword(std::string(129, 'p')), "");
  std::string eight_accents;
  for (int i = 0; i < 8; ++i) eight_accents += "é";  // 16 bytes, 8 characters
  EXPECT_EQ(CheckPassword(eight_accents), "");
  EXPECT_NE(CheckPassword("éééé"), "");  // 8 bytes, 4 characters
  std::string emoji128;
  for (int i = 0; i < 128; ++i) emoji128 += "\xF0\x9F\x94\x91";  // U+1F511, 4 bytes each
  EXPECT_EQ(CheckPassword(emoji128), "");
  EXPECT_NE(CheckPassword(emoji128 + "x"), "");
  EXPECT_EQ(CheckPassword("spaces are fine  "), "");
}

TEST(ValidationTest, RefusesInvalidUtf8) {
  EXPECT_NE(CheckPassword("abcdefgh\xff"), "");
  EXPECT_NE(CheckPassword("abcdefgh\xc0\xaf"), "");          // overlong '/'
  EXPECT_NE(CheckPassword("abcdefgh\xed\xa0\x80"), "");      // a surrogate
  EXPECT_NE(CheckPassword("abcdefgh\xe2\x82"), "");          // truncated
  EXPECT_NE(CheckName("Ad\xe2"), "");
}

TEST(ValidationTest, NameLengthAndControlCharacters) {
  EXPECT_EQ(CheckName("Ada"), "");
  EXPECT_EQ(CheckName("Zoë Ødegård-李"), "");
  EXPECT_NE(CheckName(""), "");
  EXPECT_EQ(InvalidFields("ada@example.com", "password1", "   "), Fields{"name"});
  EXPECT_EQ(CheckName(std::string(100, 'n')), "");
  EXPECT_NE(CheckName(std::string(101, 'n')), "");
  std::string hundred_wide;
  for (int i = 0; i < 100; ++i) hundred_wide += "名";
  EXPECT_EQ(CheckName(hundred_wide), "");
  for (const std::string& name : {std::string("Ada\nLovelace"), std::string("Ada\tL"), std::string("Ada\x7f"),
                                 std::string("Ada\x1b[31m"), std::string("Ada\xc2\x85"), std::string("A\0da", 4)}) {
    EXPECT_EQ(CheckName(name), "must not contain control characters") << name;
  }
}

}  // namespace
}  // namespace storefront::gateway::accounts

#include "adapter/security/base64url.h"

#include <gtest/gtest.h>

namespace workwell::security {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("=+/"), std::string::npos);
    const auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.has_value()) << i;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
}

TEST(Base64UrlTest, KnownVectors) {
  // RFC 4648 section 10, without padding.
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff"));
}

TEST(Base64UrlTest, RefusesNonCanonicalText) {
  EXPECT_FALSE(Base64UrlDecode("Zm8=").has_value());       // padding
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());        // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm9v YmFy").has_value());  // whitespace
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());      // length 5: one stray character
  EXPECT_FALSE(Base64UrlDecode("Zm9=").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm-").has_value());  // stray low bits in the last character
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)).has_value());
  EXPECT_TRUE(Base64UrlDecode("").has_value());
}

}  // namespace
}  // namespace workwell::security

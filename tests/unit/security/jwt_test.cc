#include "adapter/security/jwt.h"

#include <gtest/gtest.h>

#include "adapter/security/base64url.h"

namespace workwell::security {
namespace {

std::string Token(std::string_view header, std::string_view claims, std::string_view sig = "sig") {
  return Base64UrlEncode(header) + "." + Base64UrlEncode(claims) + "." + Base64UrlEncode(sig);
}

void ExpectRejected(std::string_view token, std::string_view message_part) {
  const common::Result<Jwt> r = ParseJwt(token);
  ASSERT_FALSE(r.ok()) << token;
  EXPECT_NE(r.status().message().find(message_part), std::string::npos) << r.status().message();
}

TEST(JwtTest, ParsesHeaderAndRegisteredClaims) {
  const std::string token = Token(R"({"alg":"ES256","kid":"k1","typ":"JWT"})",
                                  R"({"iss":"c1","sub":"c1","aud":"https://gw/token","exp":1700000300,)"
                                  R"("nbf":1700000000.5,"iat":1700000000,"jti":"j-1","scope":"system/*.read"})");
  const common::Result<Jwt> r = ParseJwt(token);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->header.alg, "ES256");
  EXPECT_EQ(r->header.kid, "k1");
  EXPECT_EQ(r->header.typ, "JWT");
  EXPECT_EQ(r->claims.iss, "c1");
  EXPECT_EQ(r->claims.sub, "c1");
  ASSERT_EQ(r->claims.aud.size(), 1u);
  EXPECT_EQ(r->claims.aud[0], "https://gw/token");
  EXPECT_EQ(r->claims.exp, 1700000300);
  EXPECT_EQ(r->claims.nbf, 1700000000);
  EXPECT_EQ(r->claims.iat, 1700000000);
  EXPECT_EQ(r->claims.jti, "j-1");
  EXPECT_EQ(r->claims.scope, "system/*.read");
  EXPECT_EQ(r->signature, "sig");
  EXPECT_EQ(r->signing_input, token.substr(0, token.rfind('.')));
}

TEST(JwtTest, AudienceMayBeAnArray) {
  const common::Result<Jwt> r = ParseJwt(Token(R"({"alg":"RS256"})", R"({"aud":["a","b"]})"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->claims.has_aud);
  EXPECT_EQ(r->claims.aud, (std::vector<std::string>{"a", "b"}));
}

TEST(JwtTest, RefusesWrongShape) {
  ExpectRejected("", "empty");
  ExpectRejected("abc", "three");
  ExpectRejected("a.b", "three");
  ExpectRejected("a.b.c.d", "three");
  ExpectRejected(".e30.", "header part is empty");
  ExpectRejected(Base64UrlEncode(R"({"alg":"RS256"})") + "..", "claims part is empty");
  ExpectRejected("e30=.e30.", "header is not base64url");
  ExpectRejected(Base64UrlEncode(R"({"alg":"RS256"})") + ".e3+.", "claims are not base64url");
  ExpectRejected(Base64UrlEncode(R"({"alg":"RS256"})") + ".e30.a", "signature is not base64url");
}

TEST(JwtTest, RefusesBadHeaders) {
  ExpectRejected(Token("not json", "{}"), "header is not valid JSON");
  ExpectRejected(Token("[1]", "{}"), "header is not a JSON object");
  ExpectRejected(Token("{}", "{}"), "no \"alg\"");
  ExpectRejected(Token(R"({"alg":256})", "{}"), "\"alg\" is not");
  ExpectRejected(Token(R"({"alg":""})", "{}"), "\"alg\" is not");
  ExpectRejected(Token(R"({"alg":"RS256","kid":1})", "{}"), "\"kid\" is not a string");
  ExpectRejected(Token(R"({"alg":"RS256","crit":["exp"]})", "{}"), "crit");
  ExpectRejected(Token(R"({"alg":"RS256","alg":"none"})", "{}"), "duplicate member \"alg\"");
  ExpectRejected(Token(R"({"alg":"RS256"} x)", "{}"), "header is not valid JSON");
}

TEST(JwtTest, RefusesBadClaims) {
  const std::string h = R"({"alg":"RS256"})";
  ExpectRejected(Token(h, "\"text\""), "claims is not a JSON object");
  ExpectRejected(Token(h, "{"), "claims is not valid JSON");
  ExpectRejected(Token(h, R"({"iss":1})"), "\"iss\" is not a string");
  ExpectRejected(Token(h, R"({"sub":null})"), "\"sub\" is not a string");
  ExpectRejected(Token(h, R"({"aud":1})"), "\"aud\" is neither");
  ExpectRejected(Token(h, R"({"aud":["a",2]})"), "\"aud\" holds");
  ExpectRejected(Token(h, R"({"exp":"1700000000"})"), "\"exp\" is not a number");
  ExpectRejected(Token(h, R"({"exp":-5})"), "\"exp\" is not a non-negative");
  ExpectRejected(Token(h, R"({"exp":1e10})"), "\"exp\" is not a non-negative");
  ExpectRejected(Token(h, R"({"nbf":99999999999999})"), "\"nbf\" is out of range");
  ExpectRejected(Token(h, R"({"jti":"a","jti":"b"})"), "duplicate member \"jti\"");
  ExpectRejected(Token(h, "{\"iss\":\"\xff\"}"), "claims is not valid JSON");
  ExpectRejected(Token(h, R"({"a":[[[[[[[[[[1]]]]]]]]]]})"), "claims is not valid JSON");
}

TEST(JwtTest, RefusesOversizeTokens) {
  JwtLimits limits;
  limits.max_token_bytes = 64;
  const common::Result<Jwt> r = ParseJwt(Token(R"({"alg":"RS256"})", std::string(100, ' ') + "{}"), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace workwell::security

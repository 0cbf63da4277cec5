#include "adapter/security/keys.h"

#include <gtest/gtest.h>

#include "adapter/security/base64url.h"
#include "tests/unit/security/test_crypto.h"

namespace workwell::security {
namespace {

using testing::HmacSha256;
using testing::Jwks;
using testing::MakeJws;
using testing::MakeJwsWithSignature;
using testing::TestKey;

// Keys are made once per binary: RSA generation takes a while.
struct Keys {
  TestKey rsa = TestKey::Rsa(2048);
  TestKey p256 = TestKey::EcP256();
  TestKey p384 = TestKey::EcP384();
  TestKey other_p256 = TestKey::EcP256();
};
const Keys& K() {
  static const Keys* keys = new Keys();
  return *keys;
}

std::vector<PublicKey> Load(const std::string& jwks) {
  common::Result<std::vector<PublicKey>> keys = ParseJwks(jwks);
  EXPECT_TRUE(keys.ok()) << keys.status().message();
  return keys.ok() ? *keys : std::vector<PublicKey>{};
}

std::string JwsFor(const TestKey& key, std::string_view alg, std::string_view kid = "") {
  std::string header = R"({"alg":")" + std::string(alg) + "\"";
  if (!kid.empty()) header += R"(,"kid":")" + std::string(kid) + "\"";
  return MakeJws(key, alg, header + "}", R"({"iss":"c"})");
}

Jwt Parsed(const std::string& token) {
  common::Result<Jwt> jwt = ParseJwt(token);
  EXPECT_TRUE(jwt.ok()) << jwt.status().message();
  return jwt.ok() ? *jwt : Jwt{};
}

void ExpectJwksRejected(const std::string& jwks, std::string_view message_part) {
  const auto r = ParseJwks(jwks);
  ASSERT_FALSE(r.ok()) << jwks;
  EXPECT_EQ(r.status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(message_part), std::string::npos) << r.status().message();
}

TEST(KeysTest, ReadsRsaAndEcKeysFromJwks) {
  const auto keys = Load(Jwks({K().rsa.Jwk("r", "RS256"), K().p256.Jwk("e1"), K().p384.Jwk("e2", "ES384")}));
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].type(), KeyType::kRsa);
  EXPECT_EQ(keys[0].kid(), "r");
  EXPECT_TRUE(keys[0].Allows("RS256"));
  EXPECT_FALSE(keys[0].Allows("RS384"));  // the JWK restricts it
  EXPECT_EQ(keys[1].type(), KeyType::kEcP256);
  EXPECT_TRUE(keys[1].Allows("ES256"));
  EXPECT_FALSE(keys[1].Allows("ES384"));
  EXPECT_EQ(keys[2].type(), KeyType::kEcP384);
}

TEST(KeysTest, VerifiesEachAlgorithm) {
  const auto keys = Load(Jwks({K().rsa.Jwk("r"), K().p256.Jwk("e1"), K().p384.Jwk("e2")}));
  for (const auto& [key, alg] : std::vector<std::pair<const TestKey*, std::string>>{
           {&K().rsa, "RS256"}, {&K().rsa, "RS384"}, {&K().p256, "ES256"}, {&K().p384, "ES384"}}) {
    EXPECT_TRUE(VerifyJws(Parsed(JwsFor(*key, alg)), keys).ok()) << alg;
  }
}

TEST(KeysTest, RefusesTamperedClaimsAndForeignSignatures) {
  const auto keys = Load(Jwks({K().p256.Jwk("e1")}));
  std::string token = JwsFor(K().p256, "ES256");
  const size_t dot = token.find('.');
  const std::string tampered =
      token.substr(0, dot + 1) + Base64UrlEncode(R"({"iss":"d"})") + token.substr(token.rfind('.'));
  EXPECT_EQ(VerifyJws(Parsed(tampered), keys).message(), "signature does not verify");
  EXPECT_EQ(VerifyJws(Parsed(JwsFor(K().other_p256, "ES256")), keys).message(), "signature does not verify");
}

TEST(KeysTest, RefusesNoneHmacAndUnknownAlgorithms) {
  const auto keys = Load(Jwks({K().rsa.Jwk("r")}));
  const std::string header_none = R"({"alg":"none"})";
  const common::Status none = VerifyJws(Parsed(MakeJwsWithSignature(header_none, "{}", "")), keys);
  EXPECT_EQ(none.code(), common::StatusCode::kUnauthenticated);
  EXPECT_NE(none.message().find("\"none\" is not accepted"), std::string::npos);
  // The classic confusion: HMAC keyed with the RSA public key's text.
  const std::string hs_header = R"({"alg":"HS256"})";
  const std::string input = Base64UrlEncode(hs_header) + "." + Base64UrlEncode("{}");
  const std::string forged = input + "." + Base64UrlEncode(HmacSha256(K().rsa.PublicPem(), input));
  EXPECT_NE(VerifyJws(Parsed(forged), keys).message().find("\"HS256\" is not accepted"), std::string::npos);
  EXPECT_FALSE(VerifyJws(Parsed(MakeJwsWithSignature(R"({"alg":"PS256"})", "{}", "x")), keys).ok());
  EXPECT_FALSE(VerifyJws(Parsed(MakeJwsWithSignature(R"({"alg":"rs256"})", "{}", "x")), keys).ok());
}

TEST(KeysTest, RefusesAlgorithmsThatDoNotFitTheKey) {
  const auto rsa = Load(Jwks({K().rsa.Jwk("r")}));
  const auto p256 = Load(Jwks({K().p256.Jwk("e")}));
  // An ES256 token against an RSA key, and an RS256 token against an EC key.
  EXPECT_NE(VerifyJws(Parsed(JwsFor(K().p256, "ES256")), rsa).message().find("no registered key accepts"),
            std::string::npos);
  EXPECT_NE(VerifyJws(Parsed(JwsFor(K().rsa, "RS256")), p256).message().find("no registered key accepts"),
            std::string::npos);
  // ES384 claimed for a P-256 key: the curve decides.
  EXPECT_FALSE(VerifySignature("ES384", p256[0], "a.b", std::string(96, 'x')).ok());
  // A JWK restricted to RS256 does not verify RS384.
  const auto rs256_only = Load(Jwks({K().rsa.Jwk("r", "RS256")}));
  EXPECT_FALSE(VerifyJws(Parsed(JwsFor(K().rsa, "RS384")), rs256_only).ok());
}

TEST(KeysTest, EcdsaSignatureMustBeRawAndExactSize) {
  const auto keys = Load(Jwks({K().p256.Jwk("e")}));
  const std::string token = JwsFor(K().p256, "ES256");
  Jwt jwt = Parsed(token);
  ASSERT_EQ(jwt.signature.size(), 64u);
  jwt.signature.pop_back();
  EXPECT_NE(VerifyJws(jwt, keys).message(), "");
  EXPECT_FALSE(VerifySignature("ES256", keys[0], jwt.signing_input, jwt.signature).ok());
  EXPECT_FALSE(VerifySignature("ES256", keys[0], jwt.signing_input, std::string(64, '\0')).ok());
  EXPECT_FALSE(VerifySignature("RS256", Load(Jwks({K().rsa.Jwk("r")}))[0], "a.b", "short").ok());
}

TEST(KeysTest, KidSelectsTheKey) {
  const auto keys = Load(Jwks({K().p256.Jwk("a"), K().other_p256.Jwk("b")}));
  EXPECT_TRUE(VerifyJws(Parsed(JwsFor(K().other_p256, "ES256", "b")), keys).ok());
  EXPECT_FALSE(VerifyJws(Parsed(JwsFor(K().other_p256, "ES256", "a")), keys).ok());
  const common::Status unknown = VerifyJws(Parsed(JwsFor(K().p256, "ES256", "zzz")), keys);
  EXPECT_NE(unknown.message().find("no registered key with this kid"), std::string::npos);
  EXPECT_TRUE(VerifyJws(Parsed(JwsFor(K().other_p256, "ES256")), keys).ok());  // no kid: every key tried
}

TEST(KeysTest, RefusesBadJwks) {
  ExpectJwksRejected("[]", "no \"keys\" array");
  ExpectJwksRejected("{", "not valid JSON");
  ExpectJwksRejected(R"({"keys":[]})", "no usable signing key");
  ExpectJwksRejected(R"({"keys":[1]})", "not an object");
  ExpectJwksRejected(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})", "private or symmetric");
  ExpectJwksRejected(R"({"keys":[{"kty":"oct"}]})", "symmetric keys are not accepted");
  std::string with_d = K().p256.Jwk("e");
  with_d.insert(1, R"("d":"AAAA",)");
  ExpectJwksRejected(Jwks({with_d}), "private or symmetric");
  ExpectJwksRejected(R"({"keys":[{"kty":"RSA","n":"AQAB"}]})", "\"e\" is missing");
  ExpectJwksRejected(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})", "at least 2048");
  ExpectJwksRejected(Jwks({TestKey::Rsa(1024).Jwk("small")}), "1024 bits");
  ExpectJwksRejected(Jwks({K().rsa.Jwk("r", "ES256")}), "does not fit");
  ExpectJwksRejected(Jwks({K().p256.Jwk("e", "ES384")}), "does not fit");
  ExpectJwksRejected(R"({"keys":[{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}]})", "not supported");
  const std::string x32 = Base64UrlEncode(std::string(32, '\x01'));
  ExpectJwksRejected(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + x32 + R"(","y":")" + x32 + R"("}]})",
                     "not on the curve");
  ExpectJwksRejected(R"({"keys":[{"kty":"EC","crv":"P-256","x":")" + x32 + R"(","y":"AQ"}]})", "32 bytes");
  ExpectJwksRejected(R"({"keys":[{"kty":"EC","crv":"P-256","x":"!!","y":"AQ"}]})", "not base64url");
}

TEST(KeysTest, SkipsKeysForOtherUses) {
  std::string enc = K().p256.Jwk("enc");
  enc.replace(enc.find(R"("use":"sig")"), 11, R"("use":"enc")");
  const auto keys = Load(Jwks({enc, K().p384.Jwk("sig"), R"({"kty":"OKP","crv":"Ed25519","x":"AA"})"}));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].kid(), "sig");
  ExpectJwksRejected(Jwks({enc}), "no usable signing key");
}

TEST(KeysTest, ReadsPemKeys) {
  for (const TestKey* key : {&K().rsa, &K().p256, &K().p384}) {
    const common::Result<PublicKey> pem = ParsePemPublicKey(key->PublicPem(), "pem");
    ASSERT_TRUE(pem.ok()) << pem.status().message();
    EXPECT_EQ(pem->kid(), "pem");
  }
  const auto rsa = ParsePemPublicKey(K().rsa.PublicPem());
  ASSERT_TRUE(rsa.ok());
  EXPECT_TRUE(VerifyJws(Parsed(JwsFor(K().rsa, "RS384")), {*rsa}).ok());
  EXPECT_FALSE(ParsePemPublicKey("not pem").ok());
  EXPECT_FALSE(ParsePemPublicKey(TestKey::Rsa(1024).PublicPem()).ok());
  const common::Result<PublicKey> secp256k1 =
      ParsePemPublicKey(testing::TestKey::EcP256().PrivatePem());  // a private key is not a public key block
  EXPECT_FALSE(secp256k1.ok());
}

TEST(KeysTest, FileErrorsNameTheFile) {
  testing::TempDir dir;
  const auto missing = LoadJwksFile(dir.path() / "nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);
  const auto bad = LoadPemPublicKeyFile(dir.Write("bad.pem", "garbage"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.pem"), std::string::npos);
  const auto good = LoadJwksFile(dir.Write("k.json", Jwks({K().p256.Jwk("e")})));
  EXPECT_TRUE(good.ok());
}

}  // namespace
}  // namespace workwell::security

#include "adapter/security/assertion.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/unit/security/test_crypto.h"

namespace workwell::security {
namespace {

using testing::FakeClock;
using testing::Jwks;
using testing::MakeJws;
using testing::MakeJwsWithSignature;
using testing::TestKey;

constexpr UnixSeconds kNow = 1800000000;
constexpr std::string_view kAud = "https://gateway.example/token";

const TestKey& RsaKey() {
  static const TestKey* k = new TestKey(TestKey::Rsa(2048));
  return *k;
}
const TestKey& EcKey() {
  static const TestKey* k = new TestKey(TestKey::EcP384());
  return *k;
}

RegisteredClient Client(std::string id, const TestKey& key, std::string kid) {
  RegisteredClient c;
  c.id = std::move(id);
  c.kind = ClientKind::kGpSystem;
  c.ods_practice_codes = {"A12345"};
  c.keys = *ParseJwks(Jwks({key.Jwk(kid)}));
  c.allowed_scopes = {*ParseScope("system/Patient.read")};
  return c;
}

// Claims as JSON text; each argument left at its default is a valid value.
struct Claims {
  std::string iss = "gp-1";
  std::string sub = "gp-1";
  std::string aud = "\"" + std::string(kAud) + "\"";
  std::string exp = std::to_string(kNow + 240);
  std::string jti = "\"jti-1\"";
  std::string extra;
  std::string Text() const {
    std::string out = "{";
    const auto add = [&out](std::string_view key, const std::string& value) {
      if (value.empty()) return;
      if (out.size() > 1) out += ",";
      out += "\"" + std::string(key) + "\":" + value;
    };
    add("iss", iss.empty() ? "" : "\"" + iss + "\"");
    add("sub", sub.empty() ? "" : "\"" + sub + "\"");
    add("aud", aud);
    add("exp", exp);
    add("jti", jti);
    if (!extra.empty()) out += (out.size() > 1 ? "," : "") + extra;
    return out + "}";
  }
};

class AssertionTest : public ::testing::Test {
 protected:
  AssertionTest() : clock_(kNow) {
    std::vector<RegisteredClient> clients = {Client("gp-1", RsaKey(), "rk"), Client("svc-1", EcKey(), "ek")};
    clients[1].kind = ClientKind::kWorkwellService;
    clients[1].service_ids = {"S1"};
    registry_ = std::make_unique<ClientRegistry>(*ClientRegistry::Create(std::move(clients)));
    AssertionPolicy policy;
    policy.audience = std::string(kAud);
    validator_ = std::make_unique<ClientAssertionValidator>(*registry_, policy, clock_, replay_);
  }

  static std::string Sign(const Claims& c, const TestKey& key = RsaKey(), std::string_view alg = "RS384",
                          std::string_view kid = "rk") {
    return MakeJws(key, alg, R"({"alg":")" + std::string(alg) + R"(","kid":")" + std::string(kid) + R"(","typ":"JWT"})",
                   c.Text());
  }

  void ExpectRefused(const std::string& assertion, std::string_view message_part) {
    const auto r = validator_->Validate(assertion);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), common::StatusCode::kUnauthenticated);
    EXPECT_NE(r.status().message().find(message_part), std::string::npos) << r.status().message();
  }

  FakeClock clock_;
  ReplayCache replay_;
  std::unique_ptr<ClientRegistry> registry_;
  std::unique_ptr<ClientAssertionValidator> validator_;
};

TEST_F(AssertionTest, AcceptsAValidAssertion) {
  const auto r = validator_->Validate(Sign({}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->id, "gp-1");
  Claims c;
  c.iss = c.sub = "svc-1";
  const auto ec = validator_->Validate(Sign(c, EcKey(), "ES384", "ek"));
  ASSERT_TRUE(ec.ok()) << ec.status().message();
  EXPECT_EQ((*ec)->id, "svc-1");
}

TEST_F(AssertionTest, AudienceMayBeOneOfAnArray) {
  Claims c;
  c.aud = R"(["https://other", ")" + std::string(kAud) + "\"]";
  EXPECT_TRUE(validator_->Validate(Sign(c)).ok());
}

TEST_F(AssertionTest, RefusesIdentityProblems) {
  Claims c;
  c.sub = "someone-else";
  ExpectRefused(Sign(c), "\"iss\" and \"sub\" differ");
  c = {};
  c.iss = c.sub = "stranger";
  ExpectRefused(Sign(c), "unknown client");
  c = {};
  c.iss.clear();
  ExpectRefused(Sign(c), "no \"iss\"");
  c = {};
  c.sub.clear();
  ExpectRefused(Sign(c), "no \"sub\"");
  // gp-1's assertion signed with svc-1's key.
  ExpectRefused(Sign({}, EcKey(), "ES384", "rk"), "no registered key");
  ExpectRefused(Sign({}, EcKey(), "ES384", "ek"), "no registered key");
}

TEST_F(AssertionTest, RefusesBadSignaturesAndAlgorithms) {
  std::string token = Sign({});
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  ExpectRefused(token, "signature does not verify");
  ExpectRefused(MakeJwsWithSignature(R"({"alg":"none"})", Claims{}.Text(), ""), "\"none\" is not accepted");
  ExpectRefused(MakeJwsWithSignature(R"({"alg":"HS256","kid":"rk"})", Claims{}.Text(),
                                     testing::HmacSha256(RsaKey().PublicPem(), "x")),
                "\"HS256\" is not accepted");
  // A header algorithm that does not fit gp-1's RSA key.
  ExpectRefused(MakeJwsWithSignature(R"({"alg":"ES256","kid":"rk"})", Claims{}.Text(), std::string(64, 'x')),
                "no registered key");
}

TEST_F(AssertionTest, RefusesMalformedInput) {
  ExpectRefused("not-a-jwt", "three");
  ExpectRefused("a.b.c", "not base64url");
  ExpectRefused(MakeJwsWithSignature("{", "{}", "x"), "header is not valid JSON");
  ExpectRefused(MakeJwsWithSignature(R"({"alg":"RS256"})", "[]", "x"), "claims is not a JSON object");
}

TEST_F(AssertionTest, RefusesAudienceProblems) {
  Claims c;
  c.aud = "\"https://gateway.example/token/\"";
  ExpectRefused(Sign(c), "\"aud\" is not this token endpoint");
  c.aud.clear();
  ExpectRefused(Sign(c), "no \"aud\"");
}

TEST_F(AssertionTest, RefusesLifetimeProblems) {
  Claims c;
  c.exp.clear();
  ExpectRefused(Sign(c), "no \"exp\"");
  c.exp = std::to_string(kNow);
  ExpectRefused(Sign(c), "has expired");
  c.exp = std::to_string(kNow - 100);
  ExpectRefused(Sign(c), "has expired");
  c.exp = std::to_string(kNow + 300 + 30 + 1);  // beyond 5 minutes plus the leeway
  ExpectRefused(Sign(c), "more than 300 s ahead");
  c.exp = std::to_string(kNow + 300 + 30);
  c.jti = "\"edge\"";
  EXPECT_TRUE(validator_->Validate(Sign(c)).ok());
  c = {};
  c.jti = "\"n\"";
  c.extra = "\"nbf\":" + std::to_string(kNow + 31);
  ExpectRefused(Sign(c), "not valid yet");
  c.extra = "\"iat\":" + std::to_string(kNow + 31);
  ExpectRefused(Sign(c), "\"iat\" is in the future");
  c.extra = "\"iat\":" + std::to_string(kNow + 10) + ",\"nbf\":" + std::to_string(kNow + 10);  // within the leeway
  EXPECT_TRUE(validator_->Validate(Sign(c)).ok());
}

TEST_F(AssertionTest, EachJtiIsAcceptedOnce) {
  Claims c;
  c.jti.clear();
  ExpectRefused(Sign(c), "no \"jti\"");
  c.jti = "\"\"";
  ExpectRefused(Sign(c), "no \"jti\"");
  c.jti = "\"" + std::string(300, 'j') + "\"";
  ExpectRefused(Sign(c), "too long");
  const std::string token = Sign({});
  ASSERT_TRUE(validator_->Validate(token).ok());
  ExpectRefused(token, "\"jti\" was already used");
  // A freshly signed assertion reusing the jti is a replay too.
  ExpectRefused(Sign({}), "\"jti\" was already used");
  // Another client may use the same jti.
  Claims other;
  other.iss = other.sub = "svc-1";
  EXPECT_TRUE(validator_->Validate(Sign(other, EcKey(), "ES384", "ek")).ok());
}

TEST_F(AssertionTest, ARefusedAssertionDoesNotConsumeItsJti) {
  Claims c;
  c.aud = "\"https://elsewhere\"";
  ExpectRefused(Sign(c), "\"aud\"");
  EXPECT_TRUE(validator_->Validate(Sign({})).ok());
}

TEST_F(AssertionTest, ConcurrentReplaysOfOneAssertionHaveOneWinner) {
  const std::string token = Sign({});
  std::atomic<int> accepted{0};
  std::atomic<int> replayed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const auto r = validator_->Validate(token);
      if (r.ok()) {
        ++accepted;
      } else if (r.status().message().find("already used") != std::string::npos) {
        ++replayed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(replayed.load(), 7);
}

TEST(ReplayCacheTest, ForgetsExpiredEntries) {
  ReplayCache cache(2);
  EXPECT_TRUE(cache.Remember("c", "a", 100, 50).ok());
  EXPECT_EQ(cache.Remember("c", "a", 100, 60).code(), common::StatusCode::kAlreadyExists);
  EXPECT_TRUE(cache.Remember("c", "b", 200, 60).ok());
  EXPECT_EQ(cache.Remember("c", "c", 200, 60).code(), common::StatusCode::kResourceExhausted);
  EXPECT_EQ(cache.Size(100), 2u);
  EXPECT_EQ(cache.Size(101), 1u);  // "a" expired at 100
  EXPECT_TRUE(cache.Remember("c", "a", 300, 101).ok());
  EXPECT_TRUE(cache.Remember("c", "d", 300, 250).ok());
  EXPECT_EQ(cache.Size(250), 2u);
}

TEST(ReplayCacheTest, OneWinnerAmongConcurrentReplays) {
  ReplayCache cache;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 200; ++j) {
        if (cache.Remember("c", "jti-" + std::to_string(j), 1000, 1).ok()) ++accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 200);
}

}  // namespace
}  // namespace workwell::security

#include "adapter/security/token_service.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "adapter/security/base64url.h"
#include "tests/unit/security/test_crypto.h"

namespace workwell::security {
namespace {

using testing::FakeClock;
using testing::Jwks;
using testing::MakeJws;
using testing::TestKey;

constexpr UnixSeconds kStart = 1800000000;
constexpr std::string_view kAud = "https://gw.example/token";

const TestKey& Key() {
  static const TestKey* k = new TestKey(TestKey::EcP256());
  return *k;
}

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest() : clock_(kStart) {
    RegisteredClient icb;
    icb.id = "icb-1";
    icb.kind = ClientKind::kIcb;
    icb.icb_code = "QWE";
    icb.keys = *ParseJwks(Jwks({Key().Jwk("k")}));
    icb.allowed_scopes = *ParseScopeList("system/Patient.read system/Task.cruds");
    RegisteredClient bound = icb;
    bound.id = "bound-1";
    bound.certificate_sha256 = std::string(64, 'a');
    registry_ = std::make_unique<ClientRegistry>(*ClientRegistry::Create({icb, bound}));
    AssertionPolicy policy;
    policy.audience = std::string(kAud);
    validator_ = std::make_unique<ClientAssertionValidator>(*registry_, policy, clock_, replay_);
    TokenPolicy tp;
    tp.lifetime_s = 600;
    tp.max_live_tokens = 3;
    tokens_ = std::make_unique<TokenService>(*validator_, clock_, tp);
  }

  std::string Assertion(std::string_view client = "icb-1") {
    const std::string id(client);
    return MakeJws(Key(), "ES256", R"({"alg":"ES256"})",
                   R"({"iss":")" + id + R"(","sub":")" + id + R"(","aud":")" + std::string(kAud) + R"(","exp":)" +
                       std::to_string(clock_.Now() + 60) + R"(,"jti":"j)" + std::to_string(++jti_) + "\"}");
  }

  FakeClock clock_;
  ReplayCache replay_;
  int jti_ = 0;
  std::unique_ptr<ClientRegistry> registry_;
  std::unique_ptr<ClientAssertionValidator> validator_;
  std::unique_ptr<TokenService> tokens_;
};

TEST_F(TokenServiceTest, IssuesLooksUpAndExpiresTokens) {
  const auto issued = tokens_->Issue(Assertion(), "system/Patient.read system/Observation.read");
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(issued->scope, "system/Patient.read");  // Observation is not registered for the client
  EXPECT_EQ(issued->expires_in, 600);
  const auto raw = Base64UrlDecode(issued->access_token);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->size(), 32u);

  const auto principal = tokens_->Lookup(issued->access_token);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->client_id, "icb-1");
  EXPECT_EQ(principal->kind, ClientKind::kIcb);
  EXPECT_EQ(principal->icb_code, "QWE");
  EXPECT_TRUE(principal->Allows("Patient", Permission::kRead));
  EXPECT_FALSE(principal->Allows("Task", Permission::kCreate));  // registered, but not requested

  clock_.Advance(599);
  EXPECT_TRUE(tokens_->Lookup(issued->access_token).ok());
  clock_.Advance(1);
  const auto expired = tokens_->Lookup(issued->access_token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), common::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens_->LiveTokens(), 0u);
}

TEST_F(TokenServiceTest, EmptyScopeGrantsEverythingRegistered) {
  const auto issued = tokens_->Issue(Assertion(), "");
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->scope, "system/Patient.read system/Task.cruds");
}

TEST_F(TokenServiceTest, RefusesBadScopes) {
  const auto none = tokens_->Issue(Assertion(), "system/Observation.read");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), common::StatusCode::kPermissionDenied);
  const auto malformed = tokens_->Issue(Assertion(), "patient/*.read");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), common::StatusCode::kInvalidArgument);
  const auto wider = tokens_->Issue(Assertion(), "system/*.read");
  EXPECT_EQ(wider.status().code(), common::StatusCode::kPermissionDenied);
}

TEST_F(TokenServiceTest, RefusesInvalidAssertionsAndUnknownTokens) {
  const auto bad = tokens_->Issue("x.y.z", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), common::StatusCode::kUnauthenticated);
  const std::string assertion = Assertion();
  ASSERT_TRUE(tokens_->Issue(assertion, "").ok());
  EXPECT_EQ(tokens_->Issue(assertion, "").status().code(), common::StatusCode::kUnauthenticated);  // replay
  EXPECT_FALSE(tokens_->Lookup("").ok());
  EXPECT_FALSE(tokens_->Lookup(std::string(43, 'A')).ok());
  EXPECT_FALSE(tokens_->Lookup(std::string(1000, 'A')).ok());
}

TEST_F(TokenServiceTest, TokensAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const auto issued = tokens_->Issue(Assertion(), "");
    ASSERT_TRUE(issued.ok());
    EXPECT_TRUE(seen.insert(issued->access_token).second);
  }
}

TEST_F(TokenServiceTest, LiveTokensAreBounded) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(tokens_->Issue(Assertion(), "").ok());
  EXPECT_EQ(tokens_->Issue(Assertion(), "").status().code(), common::StatusCode::kResourceExhausted);
  clock_.Advance(600);
  EXPECT_TRUE(tokens_->Issue(Assertion(), "").ok());
  EXPECT_EQ(tokens_->LiveTokens(), 1u);
}

TEST_F(TokenServiceTest, CertificateBoundClientNeedsItsCertificate) {
  const auto without = tokens_->Issue(Assertion("bound-1"), "");
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.status().code(), common::StatusCode::kUnauthenticated);
  TokenRequestContext wrong;
  wrong.certificate_sha256 = std::string(64, 'b');
  EXPECT_FALSE(tokens_->Issue(Assertion("bound-1"), "", wrong).ok());
  TokenRequestContext right;
  right.certificate_sha256 = std::string(64, 'a');
  const auto issued = tokens_->Issue(Assertion("bound-1"), "", right);
  ASSERT_TRUE(issued.ok()) << issued.status().message();
  EXPECT_EQ(tokens_->Lookup(issued->access_token)->certificate_sha256, std::string(64, 'a'));
}

TEST_F(TokenServiceTest, ConcurrentIssueAndLookup) {
  // Assertions are made up front: the helper is not thread-safe, the service is.
  std::vector<std::string> assertions;
  for (int i = 0; i < 3; ++i) assertions.push_back(Assertion());
  std::vector<std::string> issued(assertions.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < assertions.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto token = tokens_->Issue(assertions[i], "system/Patient.read");
      if (!token.ok()) return;
      issued[i] = token->access_token;
      for (int j = 0; j < 100; ++j) {
        if (!tokens_->Lookup(token->access_token).ok()) issued[i].clear();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& token : issued) {
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(tokens_->Lookup(token)->client_id, "icb-1");
  }
  EXPECT_EQ(tokens_->LiveTokens(), 3u);
}

TEST(ClientRegistryTest, ValidatesClients) {
  RegisteredClient c;
  c.id = "gp";
  c.kind = ClientKind::kGpSystem;
  c.keys = *ParseJwks(Jwks({Key().Jwk("k")}));
  c.allowed_scopes = *ParseScopeList("system/*.read");
  EXPECT_NE(ValidateClient(c).message().find("ODS practice code"), std::string::npos);
  c.ods_practice_codes = {"A1"};
  EXPECT_TRUE(ValidateClient(c).ok());
  EXPECT_FALSE(ClientRegistry::Create({c, c}).ok());
  RegisteredClient no_keys = c;
  no_keys.keys.clear();
  EXPECT_NE(ValidateClient(no_keys).message().find("no key"), std::string::npos);
  RegisteredClient bad_id = c;
  bad_id.id = "a b";
  EXPECT_FALSE(ValidateClient(bad_id).ok());
  RegisteredClient bad_fp = c;
  bad_fp.certificate_sha256 = "AB:CD";
  EXPECT_FALSE(ValidateClient(bad_fp).ok());
  EXPECT_EQ(ParseClientKind("workwell-service"), ClientKind::kWorkwellService);
  EXPECT_FALSE(ParseClientKind("admin").has_value());
}

}  // namespace
}  // namespace workwell::security

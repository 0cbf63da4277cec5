#include "adapter/api/authenticator.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>

#include "adapter/api/capability_statement.h"
#include "adapter/api/dispatcher.h"
#include "adapter/api/health.h"
#include "adapter/api/token_route.h"
#include "adapter/common/json/json.h"
#include "tests/unit/security/test_crypto.h"

namespace workwell::api {
namespace {

using security::testing::FakeClock;
using security::testing::Jwks;
using security::testing::MakeJws;
using security::testing::TestKey;

constexpr security::UnixSeconds kNow = 1800000000;
constexpr std::string_view kAud = "https://gw.example/token";

const TestKey& Key() {
  static const TestKey* k = new TestKey(TestKey::EcP256());
  return *k;
}

std::string FormEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out.push_back(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

// A dispatcher over a real router with the bearer authenticator, the token route and a few
// FHIR-like routes whose handlers echo the principal they were given.
class AuthTest : public ::testing::Test {
 protected:
  AuthTest() : clock_(kNow) {
    security::RegisteredClient gp;
    gp.id = "gp-1";
    gp.kind = security::ClientKind::kGpSystem;
    gp.ods_practice_codes = {"A12345", "B67890"};
    gp.keys = *security::ParseJwks(Jwks({Key().Jwk("k")}));
    gp.allowed_scopes = *security::ParseScopeList("system/Patient.read system/Observation.cruds system/*.s");
    registry_ = std::make_unique<security::ClientRegistry>(*security::ClientRegistry::Create({gp}));
    security::AssertionPolicy policy;
    policy.audience = std::string(kAud);
    validator_ = std::make_unique<security::ClientAssertionValidator>(*registry_, policy, clock_, replay_);
    tokens_ = std::make_unique<security::TokenService>(*validator_, clock_);
  }

  void SetUp() override {
    const auto echo = [](const Request& r) {
      std::string who = r.principal ? r.principal->client_id : "anonymous";
      if (r.principal) {
        for (const std::string& code : r.principal->ods_practice_codes) who += "," + code;
      }
      return Response::Resource(200, who);
    };
    Route read;
    read.method = "GET";
    read.pattern = "/[type]/[id]";
    read.resource_types = {"Patient", "Observation", "Task"};
    read.capability = Capability::Interaction("read");
    read.handler = echo;
    ASSERT_TRUE(router_.Add(read).ok());
    Route search = read;
    search.pattern = "/[type]";
    search.capability = Capability::Interaction("search-type");
    ASSERT_TRUE(router_.Add(search).ok());
    Route create = read;
    create.method = "POST";
    create.pattern = "/[type]";
    create.capability = Capability::Interaction("create");
    ASSERT_TRUE(router_.Add(create).ok());
    Route update = read;
    update.method = "PUT";
    update.capability = Capability::Interaction("update");
    ASSERT_TRUE(router_.Add(update).ok());
    Route transaction;
    transaction.method = "POST";
    transaction.pattern = "/";
    transaction.capability = Capability::Interaction("transaction");
    transaction.handler = echo;
    ASSERT_TRUE(router_.Add(transaction).ok());
    Route validate;
    validate.method = "POST";
    validate.pattern = "/[type]/$validate";
    validate.resource_types = {"Patient"};
    validate.permission = security::Permission::kRead;
    validate.handler = echo;
    ASSERT_TRUE(router_.Add(validate).ok());
    ASSERT_TRUE(AddMetadataRoute(router_, {}).ok());
    ASSERT_TRUE(health_.AddRoutes(router_).ok());
    ASSERT_TRUE(AddTokenRoute(router_, *tokens_).ok());
    ASSERT_TRUE(router_.SetAuthenticator(std::make_shared<BearerTokenAuthenticator>(*tokens_)).ok());
    router_.Freeze();
  }

  std::string Assertion() {
    return MakeJws(Key(), "ES256", R"({"alg":"ES256","typ":"JWT"})",
                   R"({"iss":"gp-1","sub":"gp-1","aud":")" + std::string(kAud) + R"(","exp":)" +
                       std::to_string(clock_.Now() + 120) + R"(,"jti":"j)" + std::to_string(++jti_) + "\"}");
  }

  Response Send(std::string method, std::string path, Fields headers = {}, std::string body = {}) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.headers = std::move(headers);
    r.body = std::move(body);
    return Dispatcher(router_).Handle(r);
  }

  Response PostToken(const std::string& form) {
    return Send("POST", "/token", {{"content-type", "application/x-www-form-urlencoded"}}, form);
  }

  std::string Form(const std::string& assertion, std::string_view scope) {
    return "grant_type=client_credentials&client_assertion_type=" + FormEscape(kClientAssertionType) +
           "&client_assertion=" + assertion + "&scope=" + FormEscape(scope);
  }

  // A token for gp-1 with `scope`, through POST /token.
  std::string Token(std::string_view scope) {
    const Response r = PostToken(Form(Assertion(), scope));
    EXPECT_EQ(r.status, 200) << r.body;
    json::Document doc;
    json::ParseError error;
    EXPECT_TRUE(json::Parse(r.body, json::Limits{}, doc, error));
    const json::Value* token = doc.root().Find("access_token");
    return token != nullptr ? std::string(token->text()) : "";
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (EqualsIgnoreCase(k, name)) return v;
    }
    return "";
  }

  static std::string IssueCode(const Response& r) {
    json::Document doc;
    json::ParseError error;
    if (!json::Parse(r.body, json::Limits{}, doc, error)) return "not json";
    const json::Value* issue = doc.root().Find("issue");
    if (issue == nullptr || issue->items().empty()) return "no issue";
    const json::Value* code = issue->items()[0].Find("code");
    return code != nullptr ? std::string(code->text()) : "no code";
  }

  static std::string OAuthError(const Response& r) {
    json::Document doc;
    json::ParseError error;
    if (!json::Parse(r.body, json::Limits{}, doc, error)) return "not json";
    const json::Value* e = doc.root().Find("error");
    return e != nullptr ? std::string(e->text()) : "no error";
  }

  FakeClock clock_;
  security::ReplayCache replay_;
  int jti_ = 0;
  std::unique_ptr<security::ClientRegistry> registry_;
  std::unique_ptr<security::ClientAssertionValidator> validator_;
  std::unique_ptr<security::TokenService> tokens_;
  Health health_;
  Router router_;
};

TEST_F(AuthTest, MissingTokenIs401LoginWithAChallenge) {
  const Response r = Send("GET", "/Patient/p1");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(IssueCode(r), "login");
  EXPECT_EQ(Header(r, "WWW-Authenticate"), R"(Bearer realm="workwell-gateway")");
  EXPECT_EQ(r.content_type, kFhirJson);
  EXPECT_EQ(r.client_id, "");
}

TEST_F(AuthTest, BadTokensAre401InvalidToken) {
  for (const std::string& value : {std::string("Bearer nope"), std::string("Basic Z3A6cHc="), std::string("Bearer"),
                                   std::string("Bearer a b"), "Bearer " + std::string(600, 'A')}) {
    const Response r = Send("GET", "/Patient/p1", {{"authorization", value}});
    EXPECT_EQ(r.status, 401) << value;
    EXPECT_EQ(IssueCode(r), "login");
    EXPECT_NE(Header(r, "WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos) << value;
  }
}

TEST_F(AuthTest, ValidTokenReachesTheHandlerWithThePrincipal) {
  const std::string token = Token("system/Patient.read");
  ASSERT_FALSE(token.empty());
  const Response r = Send("GET", "/Patient/p1", {{"authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "gp-1,A12345,B67890");
  EXPECT_EQ(r.client_id, "gp-1");  // for the access log
  // The scheme is case-insensitive.
  EXPECT_EQ(Send("GET", "/Patient/p1", {{"authorization", "bearer " + token}}).status, 200);
}

TEST_F(AuthTest, ScopesDecideTheInteraction) {
  const std::string token = Token("system/Patient.read system/Observation.c");
  const Fields auth = {{"authorization", "Bearer " + token}, {"content-type", "application/fhir+json"}};
  EXPECT_EQ(Send("GET", "/Patient/p1", auth).status, 200);
  EXPECT_EQ(Send("GET", "/Patient", auth).status, 200);  // read includes search
  EXPECT_EQ(Send("POST", "/Observation", auth, "{}").status, 200);
  EXPECT_EQ(Send("POST", "/Patient/$validate", auth, "{}").status, 200);  // the route says it only reads

  const Response write = Send("POST", "/Patient", auth, "{}");
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(IssueCode(write), "forbidden");
  EXPECT_NE(Header(write, "WWW-Authenticate").find("insufficient_scope"), std::string::npos);
  EXPECT_EQ(write.client_id, "gp-1");
  EXPECT_EQ(Send("PUT", "/Observation/o1", auth, "{}").status, 403);  // c is not u
  EXPECT_EQ(Send("GET", "/Observation/o1", auth).status, 403);
  EXPECT_EQ(Send("GET", "/Task/t1", auth).status, 403);
  // A transaction is system-level: it needs a "*" scope for create.
  EXPECT_EQ(Send("POST", "/", auth, "{}").status, 403);
}

TEST_F(AuthTest, WildcardSearchScope) {
  const std::string token = Token("system/*.s");
  const Fields auth = {{"authorization", "Bearer " + token}};
  EXPECT_EQ(Send("GET", "/Task", auth).status, 200);
  EXPECT_EQ(Send("GET", "/Task/t1", auth).status, 403);  // s is search, not read
}

TEST_F(AuthTest, ErrorTextsCarryNoRequestData) {
  const std::string token = Token("system/Patient.read");
  const Response forbidden = Send("GET", "/Task/secret-id-9", {{"authorization", "Bearer " + token}});
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.body.find("secret-id-9"), std::string::npos);
  EXPECT_EQ(forbidden.body.find(token), std::string::npos);
  const Response bad = Send("GET", "/Patient/secret-id-9", {{"authorization", "Bearer leaked-token-text"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.body.find("secret-id-9"), std::string::npos);
  EXPECT_EQ(bad.body.find("leaked-token-text"), std::string::npos);
}

TEST_F(AuthTest, ExpiredTokenIs401) {
  const std::string token = Token("system/Patient.read");
  clock_.Advance(300);
  const Response r = Send("GET", "/Patient/p1", {{"authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(IssueCode(r), "login");
}

TEST_F(AuthTest, PublicRoutesNeedNoToken) {
  EXPECT_EQ(Send("GET", "/metadata").status, 200);
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  EXPECT_NE(Send("GET", "/readyz").status, 401);
  EXPECT_NE(PostToken("").status, 401);
}

TEST_F(AuthTest, TokenEndpointAnswersOAuthJson) {
  const Response r = PostToken(Form(Assertion(), "system/Patient.read system/Task.read"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, kPlainJson);
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
  json::Document doc;
  json::ParseError error;
  ASSERT_TRUE(json::Parse(r.body, json::Limits{}, doc, error));
  EXPECT_EQ(doc.root().Find("token_type")->text(), "bearer");
  EXPECT_EQ(doc.root().Find("expires_in")->text(), "300");
  EXPECT_EQ(doc.root().Find("scope")->text(), "system/Patient.read");  // Task is not registered
  EXPECT_EQ(doc.root().Find("access_token")->text().size(), 43u);
}

TEST_F(AuthTest, TokenEndpointErrors) {
  const std::string type = "&client_assertion_type=" + FormEscape(kClientAssertionType);
  Response r = PostToken("");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OAuthError(r), "invalid_request");
  r = PostToken("grant_type=password" + type + "&client_assertion=" + Assertion());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OAuthError(r), "unsupported_grant_type");
  r = PostToken("grant_type=client_credentials&client_assertion_type=x&client_assertion=" + Assertion());
  EXPECT_EQ(OAuthError(r), "invalid_request");
  r = PostToken("grant_type=client_credentials" + type);
  EXPECT_EQ(OAuthError(r), "invalid_request");
  r = PostToken("grant_type=client_credentials&grant_type=client_credentials" + type +
                "&client_assertion=" + Assertion());
  EXPECT_EQ(OAuthError(r), "invalid_request");
  r = PostToken("grant_type=client_credentials%zz");
  EXPECT_EQ(OAuthError(r), "invalid_request");
  r = PostToken(Form("not.a.jwt", ""));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(OAuthError(r), "invalid_client");
  const std::string assertion = Assertion();
  EXPECT_EQ(PostToken(Form(assertion, "")).status, 200);
  r = PostToken(Form(assertion, ""));  // replayed
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(OAuthError(r), "invalid_client");
  r = PostToken(Form(Assertion(), "system/Task.read"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OAuthError(r), "invalid_scope");
  r = PostToken(Form(Assertion(), "patient/*.read"));
  EXPECT_EQ(OAuthError(r), "invalid_scope");
  r = Send("POST", "/token", {{"content-type", "application/json"}}, "{}");
  EXPECT_EQ(r.status, 415);
}

TEST_F(AuthTest, AuthenticatorCannotBeChangedAfterFreeze) {
  EXPECT_EQ(router_.SetAuthenticator(nullptr).code(), common::StatusCode::kFailedPrecondition);
}

TEST(CapabilitySecurityTest, StatementNamesTheTokenEndpointWhenAuthenticationIsOn) {
  Router router;
  CapabilityOptions options;
  const std::string without = BuildCapabilityStatement(router, options);
  EXPECT_EQ(without.find("\"security\""), std::string::npos);
  options.oauth_token_url = "https://gw.example/token";
  json::Document doc;
  json::ParseError error;
  ASSERT_TRUE(json::Parse(BuildCapabilityStatement(router, options), json::Limits{}, doc, error));
  const json::Value* security = doc.root().Find("rest")->items()[0].Find("security");
  ASSERT_NE(security, nullptr);
  EXPECT_NE(security->Find("description")->text().find("https://gw.example/token"), std::string::npos);
  EXPECT_EQ(security->Find("service")->items()[0].Find("coding")->items()[0].Find("code")->text(), "SMART-on-FHIR");
}

TEST(AuthOffTest, WithoutAnAuthenticatorEveryRouteIsServed) {
  Router router;
  Route read;
  read.method = "GET";
  read.pattern = "/[type]/[id]";
  read.resource_types = {"Patient"};
  read.capability = Capability::Interaction("read");
  read.handler = [](const Request& r) { return Response::Resource(200, r.principal ? "someone" : "anonymous"); };
  ASSERT_TRUE(router.Add(std::move(read)).ok());
  router.Freeze();
  Request r;
  r.method = "GET";
  r.path = "/Patient/p1";
  const Response response = Dispatcher(router).Handle(r);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "anonymous");
}

TEST(BearerTokenTest, ParsesTheHeader) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER  abc-._~+/= "), "abc-._~+/=");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken("Bearerabc"), "");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer a,b"), "");
}

}  // namespace
}  // namespace workwell::api

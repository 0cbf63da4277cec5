#include "adapter/api/security_config.h"

#include <gtest/gtest.h>

#include "adapter/api/dispatcher.h"
#include "tests/unit/security/test_crypto.h"

namespace workwell::api {
namespace {

using security::testing::FakeClock;
using security::testing::Jwks;
using security::testing::MakeCert;
using security::testing::MakeJws;
using security::testing::TempDir;
using security::testing::TestKey;

const TestKey& Key() {
  static const TestKey* k = new TestKey(TestKey::EcP384());
  return *k;
}

class SecurityConfigTest : public ::testing::Test {
 protected:
  SecurityConfigTest() {
    dir_.Write("gp.jwks.json", Jwks({Key().Jwk("gp")}));
    dir_.Write("svc.pem", Key().PublicPem());
    const auto ca = MakeCert("CA", nullptr, true);
    const auto leaf = MakeCert("localhost", &ca, false);
    std::filesystem::create_directories(dir_.path() / "tls");
    dir_.Write("tls/server.pem", leaf.cert_pem);
    dir_.Write("tls/server.key", leaf.key_pem);
    dir_.Write("tls/ca.pem", ca.cert_pem);
  }

  // Reads `text` as the security section; returns the config and leaves errors in errors_.
  SecurityConfig Read(const std::string& text) {
    json::Document doc;
    json::ParseError error;
    EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message;
    ConfigReader reader("gateway.json");
    SecurityConfig c = ReadSecurityConfig(doc.root(), "/security", reader, dir_.path());
    errors_ = reader.errors();
    return c;
  }

  void ExpectError(const std::string& text, std::string_view part) {
    Read(text);
    std::string all;
    for (const std::string& e : errors_) all += e + "\n";
    EXPECT_NE(all.find(part), std::string::npos) << "errors:\n" << all;
  }

  std::string Full() const {
    return R"({"authentication":"required","tokenEndpoint":"https://gw.example/oauth2/token",)"
           R"("tokenLifetimeSeconds":600,"clockLeewaySeconds":10,"clients":[)"
           R"({"id":"gp-1","kind":"gp-system","odsPracticeCodes":["A12345"],"jwksFile":"gp.jwks.json",)"
           R"("scopes":["system/Patient.read"],"certificateSha256":")" +
           std::string(64, 'c') +
           R"("},)"
           R"({"id":"svc-1","kind":"workwell-service","serviceIds":["S1"],"publicKeyPemFile":"svc.pem",)"
           R"("scopes":["system/Task.cruds"]},)"
           R"({"id":"icb-1","kind":"icb","icbCode":"QWE","jwks":)" +
           Jwks({Key().Jwk("icb")}) +
           R"(,"scopes":["system/*.read"]}],)"
           R"("tls":{"certFile":"tls/server.pem","keyFile":"tls/server.key","clientCaFile":"tls/ca.pem",)"
           R"("clientCertificate":"optional"}})";
  }

  TempDir dir_;
  std::vector<std::string> errors_;
};

TEST_F(SecurityConfigTest, ReadsAFullSection) {
  const SecurityConfig c = Read(Full());
  ASSERT_TRUE(errors_.empty()) << errors_[0];
  EXPECT_EQ(c.authentication, SecurityConfig::Authentication::kRequired);
  EXPECT_EQ(c.token_endpoint, "https://gw.example/oauth2/token");
  EXPECT_EQ(c.token_path, "/oauth2/token");
  EXPECT_EQ(c.token_lifetime_s, 600);
  EXPECT_EQ(c.clock_leeway_s, 10);
  ASSERT_EQ(c.clients.size(), 3u);
  EXPECT_EQ(c.clients[0].kind, security::ClientKind::kGpSystem);
  EXPECT_EQ(c.clients[0].ods_practice_codes, std::vector<std::string>{"A12345"});
  EXPECT_EQ(c.clients[0].certificate_sha256, std::string(64, 'c'));
  EXPECT_EQ(c.clients[0].keys.size(), 1u);
  EXPECT_EQ(c.clients[1].keys.size(), 1u);
  EXPECT_EQ(c.clients[2].icb_code, "QWE");
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_EQ(c.tls->client_certificate, security::ClientCertificateMode::kOptional);
  EXPECT_EQ(c.tls->cert_file, dir_.path() / "tls/server.pem");
}

TEST_F(SecurityConfigTest, FingerprintsMayBeWrittenAsOpenSslPrintsThem) {
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += std::string(i == 0 ? "" : ":") + "A0";
  const SecurityConfig c = Read(R"({"authentication":"required","tokenEndpoint":"https://gw/token","clients":[)"
                                R"({"id":"a","kind":"operator","jwksFile":"gp.jwks.json","scopes":["system/*.*"],)"
                                R"("certificateSha256":")" + colons + R"("}]})");
  ASSERT_TRUE(errors_.empty()) << errors_[0];
  std::string expected;
  for (int i = 0; i < 32; ++i) expected += "a0";
  EXPECT_EQ(c.clients[0].certificate_sha256, expected);
}

TEST_F(SecurityConfigTest, DisabledInsecureNeedsNothingElse) {
  const SecurityConfig c = Read(R"({"authentication":"disabled-insecure"})");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(c.authentication, SecurityConfig::Authentication::kDisabledInsecure);
  EXPECT_FALSE(c.tls.has_value());
}

TEST_F(SecurityConfigTest, RefusesBadSections) {
  ExpectError("{}", "/security/authentication: is required");
  ExpectError(R"({"authentication":"off"})", "expected \"required\" or \"disabled-insecure\"");
  ExpectError(R"({"authentication":"disabled-insecure","secret":"x"})", "/security/secret: unknown key");
  ExpectError(R"({"authentication":"required"})", "/security/tokenEndpoint: is required");
  ExpectError(R"({"authentication":"required","tokenEndpoint":"https://gw/token"})",
              "/security/clients: at least one client");
  ExpectError(R"({"authentication":"required","tokenEndpoint":"http://gw.example/token"})", "https://");
  ExpectError(R"({"authentication":"required","tokenEndpoint":"https://gw.example"})", "with a host and a path");
  ExpectError(R"({"authentication":"required","tokenEndpoint":"https://gw/token","tokenLifetimeSeconds":0})",
              "/security/tokenLifetimeSeconds");
  ExpectError(R"({"authentication":"required","tokenEndpoint":"https://gw/token","clients":{}})",
              "/security/clients: expected an array");
}

TEST_F(SecurityConfigTest, RefusesBadClients) {
  const auto with_client = [](const std::string& client) {
    return R"({"authentication":"required","tokenEndpoint":"https://gw/token","clients":[)" + client + "]}";
  };
  const std::string jwks = R"("jwksFile":"gp.jwks.json")";
  ExpectError(with_client(R"({"kind":"operator",)" + jwks + R"(,"scopes":["system/*.*"]})"),
              "/clients/0/id: is required");
  ExpectError(with_client(R"({"id":"a","kind":"root",)" + jwks + R"(,"scopes":["system/*.*"]})"), "/clients/0/kind");
  ExpectError(with_client(R"({"id":"a","kind":"operator","scopes":["system/*.*"]})"), "exactly one of jwks");
  ExpectError(with_client(R"({"id":"a","kind":"operator",)" + jwks +
                          R"(,"publicKeyPemFile":"svc.pem","scopes":["system/*.*"]})"),
              "exactly one of jwks");
  ExpectError(with_client(R"({"id":"a","kind":"operator","jwksFile":"missing.json","scopes":["system/*.*"]})"),
              "missing.json: cannot be read");
  std::string private_jwk = Key().Jwk("p");
  private_jwk.insert(1, R"("d":"AAAA",)");
  ExpectError(
      with_client(R"({"id":"a","kind":"operator","jwks":)" + Jwks({private_jwk}) + R"(,"scopes":["system/*.*"]})"),
      "/clients/0/jwks: JWKS key 0: holds private");
  ExpectError(with_client(R"({"id":"a","kind":"operator",)" + jwks + R"(})"), "/clients/0/scopes: is required");
  ExpectError(with_client(R"({"id":"a","kind":"operator",)" + jwks + R"(,"scopes":["patient/*.read"]})"),
              "/clients/0/scopes/0");
  ExpectError(with_client(R"({"id":"a","kind":"gp-system",)" + jwks + R"(,"scopes":["system/*.read"]})"),
              "ODS practice code");
  ExpectError(with_client(R"({"id":"a","kind":"icb","icbCode":"Q","serviceIds":["S"],)" + jwks +
                          R"(,"scopes":["system/*.read"]})"),
              "codes that do not belong to its kind");
  ExpectError(with_client(R"({"id":"a","kind":"operator",)" + jwks + R"(,"scopes":["system/*.*"]},)" +
                          R"({"id":"a","kind":"auditor",)" + jwks + R"(,"scopes":["system/*.read"]})"),
              "registered twice");
  ExpectError(with_client(R"({"id":"a","kind":"operator",)" + jwks + R"(,"scopes":["system/*.*"],)" +
                          R"("certificateSha256":"AB:CD"})"),
              "64 lower-case hex");
  ExpectError(with_client(R"({"id":"a","kind":"operator",)" + jwks + R"(,"scopes":["system/*.*"],"clientSecret":"x"})"),
              "/clients/0/clientSecret: unknown key");
}

TEST_F(SecurityConfigTest, RefusesBadTls) {
  const auto with_tls = [](const std::string& tls) {
    return R"({"authentication":"disabled-insecure","tls":)" + tls + "}";
  };
  ExpectError(with_tls(R"({"keyFile":"tls/server.key"})"), "/security/tls/certFile: is required");
  ExpectError(with_tls(R"({"certFile":"tls/server.pem","keyFile":"tls/server.key","clientCertificate":"required"})"),
              "/security/tls/clientCaFile: is required");
  ExpectError(with_tls(R"({"certFile":"tls/server.pem","keyFile":"tls/server.key","clientCertificate":"maybe"})"),
              "expected none, optional or required");
  ExpectError(with_tls(R"({"certFile":"tls/nope.pem","keyFile":"tls/server.key"})"), "nope.pem");
  ExpectError(with_tls(R"({"certFile":"tls/server.pem","keyFile":"tls/ca.pem"})"), "ca.pem");
}

TEST_F(SecurityConfigTest, RuntimeServesTheTokenRouteAndGuardsTheRest) {
  SecurityConfig c = Read(Full());
  ASSERT_TRUE(errors_.empty());
  c.clients[2].certificate_sha256.clear();
  FakeClock clock(1800000000);
  auto runtime = SecurityRuntime::Create(c, clock);
  ASSERT_TRUE(runtime.ok()) << runtime.status().message();
  Router router;
  Route read;
  read.method = "GET";
  read.pattern = "/[type]/[id]";
  read.resource_types = {"Patient"};
  read.capability = Capability::Interaction("read");
  read.handler = [](const Request& r) { return Response::Resource(200, r.principal->icb_code); };
  ASSERT_TRUE(router.Add(std::move(read)).ok());
  ASSERT_TRUE((*runtime)->Install(router).ok());
  router.Freeze();
  Dispatcher dispatcher(router);

  const std::string assertion =
      MakeJws(Key(), "ES384", R"({"alg":"ES384","kid":"icb"})",
              R"({"iss":"icb-1","sub":"icb-1","aud":"https://gw.example/oauth2/token","exp":1800000060,"jti":"1"})");
  Request token_request;
  token_request.method = "POST";
  token_request.path = "/oauth2/token";
  token_request.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  token_request.body =
      "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
      "client-assertion-type%3Ajwt-bearer&client_assertion=" +
      assertion;
  const Response token = dispatcher.Handle(token_request);
  ASSERT_EQ(token.status, 200) << token.body;
  const size_t at = token.body.find("\"access_token\":\"") + 16;
  const std::string access_token = token.body.substr(at, token.body.find('"', at) - at);

  Request read_request;
  read_request.method = "GET";
  read_request.path = "/Patient/p1";
  EXPECT_EQ(dispatcher.Handle(read_request).status, 401);
  read_request.headers = {{"authorization", "Bearer " + access_token}};
  const Response ok = dispatcher.Handle(read_request);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "QWE");

  Request discovery;
  discovery.method = "GET";
  discovery.path = "/.well-known/smart-configuration";
  const Response smart = dispatcher.Handle(discovery);  // public: no token
  ASSERT_EQ(smart.status, 200);
  json::Document doc;
  json::ParseError error;
  ASSERT_TRUE(json::Parse(smart.body, json::Limits{}, doc, error));
  EXPECT_EQ(doc.root().Find("token_endpoint")->text(), "https://gw.example/oauth2/token");
  EXPECT_EQ(doc.root().Find("token_endpoint_auth_methods_supported")->items()[0].text(), "private_key_jwt");
  EXPECT_EQ(doc.root().Find("grant_types_supported")->items()[0].text(), "client_credentials");
}

TEST_F(SecurityConfigTest, DisabledInsecureInstallsNothing) {
  const SecurityConfig c = Read(R"({"authentication":"disabled-insecure"})");
  FakeClock clock(0);
  auto runtime = SecurityRuntime::Create(c, clock);
  ASSERT_TRUE(runtime.ok());
  Router router;
  ASSERT_TRUE((*runtime)->Install(router).ok());
  EXPECT_EQ(router.authenticator(), nullptr);
  EXPECT_TRUE(router.routes().empty());
}

}  // namespace
}  // namespace workwell::api

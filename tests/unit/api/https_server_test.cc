// HTTPS on the real api::HttpServer over loopback, with certificates made at test time and an
// OpenSSL client: protocol versions and cipher suites, mutual TLS (optional and required),
// ReloadTls, and a certificate-bound token used end to end.

#include "adapter/api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapter/api/security_config.h"
#include "tests/unit/security/test_crypto.h"

namespace workwell::api {
namespace {

using security::testing::MakeCert;
using security::testing::TempDir;
using security::testing::TestCert;

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};  // a safety net against a hang, not a timed assertion
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string Fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(cert, EVP_sha256(), md, &n);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", md[i]);
    out += buf;
  }
  return out;
}

struct ClientOptions {
  int min_version = TLS1_2_VERSION;
  int max_version = 0;        // 0: the highest the library has
  std::string tls12_ciphers;  // empty: OpenSSL's default
  bool legacy = false;        // security level 0, so TLS 1.0/1.1 can be offered at all
  const TestCert* client_cert = nullptr;
};

struct Exchange {
  bool handshake = false;
  int version = 0;
  std::string cipher;
  std::string server_cert_sha256;
  std::string response;  // everything read until the server closed
};

// One HTTPS request on a fresh connection that verifies the server against `ca` and the name
// "localhost".
Exchange HttpsRequest(uint16_t port, const TestCert& ca, const ClientOptions& o, const std::string& request) {
  Exchange out;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (o.legacy) SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), o.min_version);
  SSL_CTX_set_max_proto_version(ctx.get(), o.max_version);
  if (!o.tls12_ciphers.empty()) SSL_CTX_set_cipher_list(ctx.get(), o.tls12_ciphers.c_str());
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca.cert.get());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (o.client_cert != nullptr) {
    SSL_CTX_use_certificate(ctx.get(), o.client_cert->cert.get());
    SSL_CTX_use_PrivateKey(ctx.get(), o.client_cert->key.get());
  }
  const int fd = Connect(port);
  if (fd < 0) return out;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  SSL_set1_host(ssl.get(), "localhost");
  if (SSL_connect(ssl.get()) == 1) {
    out.handshake = true;
    out.version = SSL_version(ssl.get());
    out.cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl.get()));
    if (X509* cert = SSL_get0_peer_certificate(ssl.get())) out.server_cert_sha256 = Fingerprint(cert);
    if (SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) > 0) {
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl.get(), buf, sizeof(buf))) > 0) out.response.append(buf, static_cast<size_t>(n));
    }
  }
  ERR_clear_error();
  ::close(fd);
  return out;
}

std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra_headers) +
         "Connection: close\r\n\r\n";
}

std::string Body(const std::string& response) {
  const size_t end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

class HttpsServerTest : public ::testing::Test {
 protected:
  HttpsServerTest()
      : ca_(MakeCert("Test CA", nullptr, true)),
        server_cert_(MakeCert("localhost", &ca_, false)),
        client_ca_(MakeCert("Client CA", nullptr, true)),
        client_(MakeCert("gp-system-1", &client_ca_, false)),
        stranger_ca_(MakeCert("Stranger CA", nullptr, true)),
        stranger_(MakeCert("gp-system-1", &stranger_ca_, false)) {
    tls_.cert_file = dir_.Write("server.pem", server_cert_.cert_pem);
    tls_.key_file = dir_.Write("server.key", server_cert_.key_pem);
    tls_.client_ca_file = dir_.Write("client-ca.pem", client_ca_.cert_pem);
  }

  void StartServer(security::ClientCertificateMode mode) {
    tls_.client_certificate = mode;
    Route whoami;
    whoami.method = "GET";
    whoami.pattern = "/whoami";
    whoami.fhir = false;
    whoami.handler = [](const Request& r) {
      Response response;
      response.body = r.client_cert_sha256 + "|" + r.client_cert_subject;
      return response;
    };
    ASSERT_TRUE(router_.Add(std::move(whoami)).ok());
    ServerConfig config;
    config.port = 0;
    config.io_threads = 1;
    config.worker_threads = 2;
    config.tls = tls_;
    server_ = std::make_unique<HttpServer>(config, router_, [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.emplace_back(line);
    });
    const common::Result<uint16_t> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
  }

  Exchange Whoami(const ClientOptions& o) { return HttpsRequest(port_, ca_, o, Get("/whoami")); }

  TempDir dir_;
  TestCert ca_;
  TestCert server_cert_;
  TestCert client_ca_;
  TestCert client_;
  TestCert stranger_ca_;
  TestCert stranger_;
  security::TlsSettings tls_;
  Router router_;
  // Before server_: the server's threads write to them until it is destroyed.
  std::mutex log_mu_;
  std::vector<std::string> log_;  // access log lines, guarded by log_mu_
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpsServerTest, Tls12And13ClientsAreServed) {
  StartServer(security::ClientCertificateMode::kNone);
  ClientOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  const Exchange a = Whoami(tls12);
  ASSERT_TRUE(a.handshake);
  EXPECT_EQ(a.version, TLS1_2_VERSION);
  EXPECT_TRUE(a.cipher.find("GCM") != std::string::npos || a.cipher.find("CHACHA20") != std::string::npos) << a.cipher;
  EXPECT_EQ(a.cipher.rfind("ECDHE-", 0), 0u) << a.cipher;
  EXPECT_EQ(a.response.rfind("HTTP/1.1 200", 0), 0u) << a.response;
  EXPECT_EQ(Body(a.response), "|");  // no client certificate asked for
  EXPECT_EQ(a.server_cert_sha256, Fingerprint(server_cert_.cert.get()));

  const Exchange b = Whoami({});
  ASSERT_TRUE(b.handshake);
  EXPECT_EQ(b.version, TLS1_3_VERSION);
  EXPECT_EQ(b.response.rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(HttpsServerTest, OldProtocolsAndWeakCiphersAreRefused) {
  StartServer(security::ClientCertificateMode::kNone);
  ClientOptions tls11;
  tls11.legacy = true;
  tls11.min_version = TLS1_1_VERSION;
  tls11.max_version = TLS1_1_VERSION;
  tls11.tls12_ciphers = "ALL:@SECLEVEL=0";
  const Exchange old = Whoami(tls11);
  EXPECT_FALSE(old.handshake);
  EXPECT_EQ(old.response, "");

  ClientOptions cbc;
  cbc.max_version = TLS1_2_VERSION;
  cbc.tls12_ciphers = "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:AES128-GCM-SHA256";
  EXPECT_FALSE(Whoami(cbc).handshake);  // CBC suites, and GCM without ECDHE
}

TEST_F(HttpsServerTest, ClientRenegotiationIsRefused) {
  StartServer(security::ClientCertificateMode::kNone);
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);  // TLS 1.3 has no renegotiation at all
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca_.cert.get());
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  ASSERT_EQ(SSL_connect(ssl.get()), 1);
  ASSERT_EQ(SSL_renegotiate(ssl.get()), 1);
  // The server answers the new ClientHello with a no_renegotiation alert, so the second
  // handshake does not complete (OpenSSL 3 refuses client renegotiation by default, and the
  // context says so too; with SSL_OP_ALLOW_CLIENT_RENEGOTIATION this check fails).
  EXPECT_NE(SSL_do_handshake(ssl.get()), 1);
  ERR_clear_error();
  ::close(fd);
}

TEST_F(HttpsServerTest, PlainHttpGetsNoHttpAnswer) {
  StartServer(security::ClientCertificateMode::kNone);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const std::string request = Get("/whoami");
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string in;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) in.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_EQ(in.find("HTTP/1."), std::string::npos) << in;
}

TEST_F(HttpsServerTest, RequiredClientCertificate) {
  StartServer(security::ClientCertificateMode::kRequired);
  const Exchange without = Whoami({});
  EXPECT_EQ(without.response.find("HTTP/1.1"), std::string::npos);  // TLS 1.3 fails after the client's Finished

  ClientOptions tls12;
  tls12.max_version = TLS1_2_VERSION;
  EXPECT_FALSE(Whoami(tls12).handshake);

  ClientOptions with;
  with.client_cert = &client_;
  const Exchange ok = Whoami(with);
  ASSERT_TRUE(ok.handshake);
  EXPECT_EQ(ok.response.rfind("HTTP/1.1 200", 0), 0u) << ok.response;
  EXPECT_EQ(Body(ok.response), Fingerprint(client_.cert.get()) + "|CN=gp-system-1,O=WorkWell Test");

  ClientOptions untrusted;
  untrusted.client_cert = &stranger_;
  EXPECT_EQ(Whoami(untrusted).response.find("HTTP/1.1"), std::string::npos);
}

TEST_F(HttpsServerTest, OptionalClientCertificate) {
  StartServer(security::ClientCertificateMode::kOptional);
  const Exchange without = Whoami({});
  ASSERT_TRUE(without.handshake);
  EXPECT_EQ(Body(without.response), "|");
  ClientOptions with;
  with.client_cert = &client_;
  EXPECT_EQ(Body(Whoami(with).response), Fingerprint(client_.cert.get()) + "|CN=gp-system-1,O=WorkWell Test");
  ClientOptions untrusted;
  untrusted.client_cert = &stranger_;
  EXPECT_EQ(Whoami(untrusted).response.find("HTTP/1.1"), std::string::npos);  // presented, so it must verify
}

TEST_F(HttpsServerTest, ReloadTlsServesTheNewCertificate) {
  StartServer(security::ClientCertificateMode::kNone);
  EXPECT_EQ(Whoami({}).server_cert_sha256, Fingerprint(server_cert_.cert.get()));

  const TestCert renewed = MakeCert("localhost", &ca_, false);
  dir_.Write("server.pem", renewed.cert_pem);
  dir_.Write("server.key", renewed.key_pem);
  ASSERT_TRUE(server_->ReloadTls().ok());
  const Exchange after = Whoami({});
  ASSERT_TRUE(after.handshake);
  EXPECT_EQ(after.server_cert_sha256, Fingerprint(renewed.cert.get()));
  EXPECT_EQ(after.response.rfind("HTTP/1.1 200", 0), 0u);

  // A broken file is refused by name and the last good certificate stays in use.
  dir_.Write("server.key", "garbage");
  const common::Status broken = server_->ReloadTls();
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.message().find("server.key"), std::string::npos) << broken.message();
  EXPECT_EQ(Whoami({}).server_cert_sha256, Fingerprint(renewed.cert.get()));
}

TEST_F(HttpsServerTest, StartRefusesBadFiles) {
  tls_.key_file = dir_.Write("wrong.key", client_.key_pem);
  ServerConfig config;
  config.port = 0;
  config.tls = tls_;
  HttpServer server(config, router_, [](std::string_view) {});
  const common::Result<uint16_t> port = server.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("wrong.key"), std::string::npos) << port.status().message();
}

TEST_F(HttpsServerTest, KeepAliveServesSeveralRequestsOnOneTlsConnection) {
  StartServer(security::ClientCertificateMode::kNone);
  const std::string keep = "GET /whoami HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const Exchange e = HttpsRequest(port_, ca_, {}, keep + keep + Get("/whoami"));
  ASSERT_TRUE(e.handshake);
  size_t answers = 0;
  for (size_t at = e.response.find("HTTP/1.1 200"); at != std::string::npos;
       at = e.response.find("HTTP/1.1 200", at + 1)) {
    ++answers;
  }
  EXPECT_EQ(answers, 3u) << e.response;
}

TEST_F(HttpsServerTest, SilentConnectionIsClosedAfterTheHandshakeTimeout) {
  tls_.client_certificate = security::ClientCertificateMode::kNone;
  ServerConfig config;
  config.port = 0;
  config.io_threads = 1;
  config.worker_threads = 1;
  config.handshake_timeout = std::chrono::milliseconds(200);
  config.tls = tls_;
  std::vector<std::string> lines;
  std::mutex mu;
  HttpServer server(config, router_, [&](std::string_view line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(line);
  });
  const common::Result<uint16_t> port = server.Start();
  ASSERT_TRUE(port.ok());
  const int fd = Connect(*port);
  ASSERT_GE(fd, 0);
  char byte;
  // Blocks until the server closes (the 5 s receive timeout is only a safety net).
  const ssize_t n = ::recv(fd, &byte, 1, 0);
  ::close(fd);
  EXPECT_EQ(n, 0);
  server.Stop();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("tls_handshake_failed"), std::string::npos) << lines[0];
}

TEST_F(HttpsServerTest, StopClosesAConnectionStillInItsHandshake) {
  StartServer(security::ClientCertificateMode::kNone);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const Exchange served = Whoami({});  // the server is up and the silent connection is accepted
  ASSERT_TRUE(served.handshake);
  server_->Stop();
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);  // an orderly close, not the client's receive timeout
  ::close(fd);
}

TEST(HttpServerTlsTest, ReloadWithoutTlsIsAPreconditionFailure) {
  Router router;
  HttpServer server(ServerConfig{}, router, [](std::string_view) {});
  EXPECT_EQ(server.ReloadTls().code(), common::StatusCode::kFailedPrecondition);
}

// A client registered with its certificate gets a token only over mutual TLS and can use it
// only on a connection presenting that certificate.
TEST_F(HttpsServerTest, CertificateBoundTokenEndToEnd) {
  const security::testing::TestKey key = security::testing::TestKey::EcP256();
  SecurityConfig sc;
  sc.token_endpoint = "https://localhost/token";
  sc.token_path = "/token";
  security::RegisteredClient client;
  client.id = "gp-1";
  client.kind = security::ClientKind::kGpSystem;
  client.ods_practice_codes = {"A12345"};
  client.keys = *security::ParseJwks(security::testing::Jwks({key.Jwk("k")}));
  client.allowed_scopes = *security::ParseScopeList("system/Patient.read");
  client.certificate_sha256 = Fingerprint(client_.cert.get());
  sc.clients = {client};
  security::SystemClock clock;
  auto runtime = SecurityRuntime::Create(sc, clock);
  ASSERT_TRUE(runtime.ok()) << runtime.status().message();
  Route read;
  read.method = "GET";
  read.pattern = "/[type]/[id]";
  read.resource_types = {"Patient"};
  read.capability = Capability::Interaction("read");
  read.handler = [](const Request& r) {
    return Response::Resource(200, "{\"by\":\"" + r.principal->client_id + "\"}");
  };
  ASSERT_TRUE(router_.Add(std::move(read)).ok());
  ASSERT_TRUE((*runtime)->Install(router_).ok());
  StartServer(security::ClientCertificateMode::kOptional);

  int jti = 0;
  const auto token_request = [&] {
    const std::string assertion = security::testing::MakeJws(
        key, "ES256", R"({"alg":"ES256"})",
        R"({"iss":"gp-1","sub":"gp-1","aud":"https://localhost/token","exp":)" + std::to_string(clock.Now() + 60) +
            R"(,"jti":"e2e-)" + std::to_string(++jti) + "\"}");
    const std::string body =
        "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
        "client-assertion-type%3Ajwt-bearer&client_assertion=" +
        assertion;
    return "POST /token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  };
  ClientOptions with;
  with.client_cert = &client_;
  EXPECT_EQ(HttpsRequest(port_, ca_, {}, token_request()).response.rfind("HTTP/1.1 401", 0), 0u);
  const Exchange issued = HttpsRequest(port_, ca_, with, token_request());
  ASSERT_EQ(issued.response.rfind("HTTP/1.1 200", 0), 0u) << issued.response;
  const std::string body = Body(issued.response);
  const size_t at = body.find("\"access_token\":\"") + 16;
  const std::string token = body.substr(at, body.find('"', at) - at);

  const std::string read_request = Get("/Patient/p1", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(HttpsRequest(port_, ca_, {}, read_request).response.rfind("HTTP/1.1 401", 0), 0u);
  const Exchange ok = HttpsRequest(port_, ca_, with, read_request);
  EXPECT_EQ(ok.response.rfind("HTTP/1.1 200", 0), 0u) << ok.response;
  EXPECT_EQ(Body(ok.response), R"({"by":"gp-1"})");

  // The access log names the client of the authenticated request, and only of that one.
  std::lock_guard<std::mutex> lock(log_mu_);
  int with_client = 0;
  for (const std::string& line : log_) {
    if (line.find(R"("clientId":"gp-1")") != std::string::npos) {
      ++with_client;
      EXPECT_NE(line.find(R"("path":"/Patient/p1")"), std::string::npos) << line;
      EXPECT_NE(line.find(R"("status":200)"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(with_client, 1);
}

}  // namespace
}  // namespace workwell::api

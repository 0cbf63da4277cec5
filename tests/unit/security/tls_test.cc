#include "adapter/security/tls.h"

#include <gtest/gtest.h>

#include "tests/unit/security/test_crypto.h"

namespace workwell::security {
namespace {

using testing::MakeCert;
using testing::TempDir;

class TlsContextTest : public ::testing::Test {
 protected:
  TlsContextTest() : ca_(MakeCert("Test CA", nullptr, true)), leaf_(MakeCert("localhost", &ca_, false)) {
    settings_.cert_file = dir_.Write("server.pem", leaf_.cert_pem);
    settings_.key_file = dir_.Write("server.key", leaf_.key_pem);
    settings_.client_ca_file = dir_.Write("ca.pem", ca_.cert_pem);
  }

  void ExpectError(const TlsSettings& s, std::string_view part) {
    const auto r = MakeServerTlsContext(s);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().message();
  }

  TempDir dir_;
  testing::TestCert ca_;
  testing::TestCert leaf_;
  TlsSettings settings_;
};

TEST_F(TlsContextTest, BuildsForEveryClientCertificateMode) {
  for (auto mode : {ClientCertificateMode::kNone, ClientCertificateMode::kOptional, ClientCertificateMode::kRequired}) {
    settings_.client_certificate = mode;
    const auto r = MakeServerTlsContext(settings_);
    EXPECT_TRUE(r.ok()) << r.status().message();
  }
}

TEST_F(TlsContextTest, ErrorsNameTheFile) {
  TlsSettings s = settings_;
  s.cert_file = dir_.path() / "missing.pem";
  ExpectError(s, "missing.pem");
  s = settings_;
  s.key_file = dir_.Write("garbage.key", "not a key");
  ExpectError(s, "garbage.key");
  s = settings_;
  s.key_file = dir_.Write("other.key", MakeCert("other", nullptr, true).key_pem);
  ExpectError(s, "other.key");
  ExpectError(s, "mismatch");
  s = settings_;
  s.client_certificate = ClientCertificateMode::kRequired;
  s.client_ca_file = dir_.Write("empty-ca.pem", "");
  ExpectError(s, "empty-ca.pem");
  s.client_ca_file.clear();
  ExpectError(s, "client CA file");
  s = settings_;
  s.cert_file.clear();
  ExpectError(s, "no certificate file");
}

TEST_F(TlsContextTest, CertificateFingerprint) {
  const auto fp = CertificateFileSha256(settings_.cert_file);
  ASSERT_TRUE(fp.ok());
  EXPECT_EQ(fp->size(), 64u);
  EXPECT_EQ(fp->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*fp, *CertificateFileSha256(settings_.client_ca_file));
  EXPECT_FALSE(CertificateFileSha256(settings_.key_file).ok());
  EXPECT_EQ(ParseClientCertificateMode("required"), ClientCertificateMode::kRequired);
  EXPECT_FALSE(ParseClientCertificateMode("yes").has_value());
}

}  // namespace
}  // namespace workwell::security

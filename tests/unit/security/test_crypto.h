#pragma once
// Test-only key material made at test time with OpenSSL: RSA and EC key pairs, their JWK and PEM
// forms, JWS signing, and X.509 certificates (a CA and leaves it signs) written to a temporary
// directory. Nothing here is committed or reused between runs.

#include <atomic>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "adapter/security/clock.h"

struct evp_pkey_st;
struct x509_st;

namespace workwell::security::testing {

// A key pair. Aborts the test binary when OpenSSL cannot make it (never expected).
class TestKey {
 public:
  static TestKey Rsa(int bits = 2048);
  static TestKey EcP256();
  static TestKey EcP384();

  // The public JWK as a JSON object text ({"kty":...,"kid":...}); `alg` is left out when empty.
  std::string Jwk(std::string_view kid, std::string_view alg = "") const;
  // The public key as "-----BEGIN PUBLIC KEY-----" PEM, and the private key as PKCS#8 PEM.
  std::string PublicPem() const;
  std::string PrivatePem() const;
  // The JOSE signature of `input` for `alg` (RS256/RS384: PKCS#1 v1.5; ES256/ES384: raw r||s).
  std::string Sign(std::string_view alg, std::string_view input) const;
  evp_pkey_st* get() const { return key_.get(); }

 private:
  explicit TestKey(evp_pkey_st* key);
  std::shared_ptr<evp_pkey_st> key_;
};

// "{"keys":[<jwk>,...]}" from JWK texts.
std::string Jwks(std::initializer_list<std::string> jwks);

// A compact JWS: base64url(header).base64url(claims).base64url(signature by `key` with `alg`).
std::string MakeJws(const TestKey& key, std::string_view alg, std::string_view header_json,
                    std::string_view claims_json);
// The same with a given signature (for "none", HMAC and garbage).
std::string MakeJwsWithSignature(std::string_view header_json, std::string_view claims_json,
                                 std::string_view signature);
// HMAC-SHA256 of `input` with `secret` (to forge HS256 tokens).
std::string HmacSha256(std::string_view secret, std::string_view input);

// A certificate and its key, as PEM. `issuer` null makes a self-signed CA.
struct TestCert {
  std::string cert_pem;
  std::string key_pem;
  std::shared_ptr<x509_st> cert;
  TestKey key;
};
TestCert MakeCert(std::string_view common_name, const TestCert* issuer, bool is_ca);

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to path()/name and returns the full path.
  std::filesystem::path Write(std::string_view name, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

// A clock the test moves by hand. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Advance(int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<UnixSeconds> now_;
};

}  // namespace workwell::security::testing

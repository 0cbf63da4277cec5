#include "tests/unit/security/test_crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <vector>

#include "adapter/security/base64url.h"

namespace workwell::security::testing {
namespace {

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test crypto: %s failed\n", what);
    std::abort();
  }
}

std::string BnBytes(const BIGNUM* bn, size_t pad_to) {
  std::vector<unsigned char> out(std::max<size_t>(pad_to, BN_num_bytes(bn)));
  Require(BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) > 0, "BN_bn2binpad");
  return std::string(reinterpret_cast<char*>(out.data()), out.size());
}

BIGNUM* GetBn(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  Require(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
  return bn;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

int CurveBytes(EVP_PKEY* key) { return EVP_PKEY_get_bits(key) > 256 ? 48 : 32; }

}  // namespace

TestKey::TestKey(evp_pkey_st* key) : key_(key, EVP_PKEY_free) { Require(key != nullptr, "key generation"); }

TestKey TestKey::Rsa(int bits) {
  return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
}
TestKey TestKey::EcP256() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }
TestKey TestKey::EcP384() { return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")); }

std::string TestKey::Jwk(std::string_view kid, std::string_view alg) const {
  std::string out = "{";
  if (EVP_PKEY_get_base_id(get()) == EVP_PKEY_RSA) {
    BIGNUM* n = GetBn(get(), OSSL_PKEY_PARAM_RSA_N);
    BIGNUM* e = GetBn(get(), OSSL_PKEY_PARAM_RSA_E);
    out +=
        R"("kty":"RSA","n":")" + Base64UrlEncode(BnBytes(n, 0)) + R"(","e":")" + Base64UrlEncode(BnBytes(e, 0)) + "\"";
    BN_free(n);
    BN_free(e);
  } else {
    const int size = CurveBytes(get());
    BIGNUM* x = GetBn(get(), OSSL_PKEY_PARAM_EC_PUB_X);
    BIGNUM* y = GetBn(get(), OSSL_PKEY_PARAM_EC_PUB_Y);
    out += R"("kty":"EC","crv":")" + std::string(size == 48 ? "P-384" : "P-256") + R"(","x":")" +
           Base64UrlEncode(BnBytes(x, size)) + R"(","y":")" + Base64UrlEncode(BnBytes(y, size)) + "\"";
    BN_free(x);
    BN_free(y);
  }
  out += R"(,"use":"sig","kid":")" + std::string(kid) + "\"";
  if (!alg.empty()) out += R"(,"alg":")" + std::string(alg) + "\"";
  return out + "}";
}

std::string TestKey::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  Require(PEM_write_bio_PUBKEY(bio, get()) == 1, "PEM_write_bio_PUBKEY");
  return BioText(bio);
}

std::string TestKey::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  Require(PEM_write_bio_PrivateKey(bio, get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM_write_bio_PrivateKey");
  return BioText(bio);
}

std::string TestKey::Sign(std::string_view alg, std::string_view input) const {
  const EVP_MD* md = alg.substr(2) == "384" ? EVP_sha384() : EVP_sha256();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Require(EVP_DigestSignInit(ctx, nullptr, md, nullptr, get()) == 1, "EVP_DigestSignInit");
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  Require(EVP_DigestSign(ctx, nullptr, &len, data, input.size()) == 1, "EVP_DigestSign size");
  std::vector<unsigned char> sig(len);
  Require(EVP_DigestSign(ctx, sig.data(), &len, data, input.size()) == 1, "EVP_DigestSign");
  EVP_MD_CTX_free(ctx);
  if (alg[0] == 'R') return std::string(reinterpret_cast<char*>(sig.data()), len);
  const unsigned char* p = sig.data();
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
  Require(ecdsa != nullptr, "d2i_ECDSA_SIG");
  const int size = CurveBytes(get());
  std::string out = BnBytes(ECDSA_SIG_get0_r(ecdsa), size) + BnBytes(ECDSA_SIG_get0_s(ecdsa), size);
  ECDSA_SIG_free(ecdsa);
  return out;
}

std::string Jwks(std::initializer_list<std::string> jwks) {
  std::string out = R"({"keys":[)";
  bool first = true;
  for (const std::string& j : jwks) {
    if (!first) out += ",";
    first = false;
    out += j;
  }
  return out + "]}";
}

std::string MakeJwsWithSignature(std::string_view header_json, std::string_view claims_json,
                                 std::string_view signature) {
  return Base64UrlEncode(header_json) + "." + Base64UrlEncode(claims_json) + "." + Base64UrlEncode(signature);
}

std::string MakeJws(const TestKey& key, std::string_view alg, std::string_view header_json,
                    std::string_view claims_json) {
  const std::string input = Base64UrlEncode(header_json) + "." + Base64UrlEncode(claims_json);
  return input + "." + Base64UrlEncode(key.Sign(alg, input));
}

std::string HmacSha256(std::string_view secret, std::string_view input) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Require(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len) != nullptr,
          "HMAC");
  return std::string(reinterpret_cast<char*>(out), len);
}

TestCert MakeCert(std::string_view common_name, const TestCert* issuer, bool is_ca) {
  TestCert out{"", "", nullptr, TestKey::EcP256()};
  X509* cert = X509_new();
  Require(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  unsigned char serial[16];
  Require(RAND_bytes(serial, sizeof(serial)) == 1, "RAND_bytes");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("WorkWell Test"), -1, -1,
                             0);
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer->cert.get()) : name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer != nullptr ? issuer->cert.get() : cert, cert, nullptr, nullptr, 0);
  const auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    Require(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  };
  if (is_ca) {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add(NID_basic_constraints, "CA:FALSE");
    add(NID_subject_alt_name, ("DNS:" + cn + ",DNS:localhost,IP:127.0.0.1").c_str());
  }
  EVP_PKEY* signer = issuer != nullptr ? issuer->key.get() : out.key.get();
  Require(X509_sign(cert, signer, EVP_sha256()) > 0, "X509_sign");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  out.cert_pem = BioText(bio);
  out.key_pem = out.key.PrivatePem();
  out.cert = std::shared_ptr<x509_st>(cert, X509_free);
  return out;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("ww-sec-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::Write(std::string_view name, std::string_view text) const {
  const std::filesystem::path p = path_ / std::string(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

}  // namespace workwell::security::testing

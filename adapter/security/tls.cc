#include "adapter/security/tls.h"

// <utility> first: Asio's coroutine support on g++ 12 expects it (see STYLE.md).
#include <utility>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

#include "adapter/security/keys.h"

namespace workwell::security {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only. TLS 1.3 suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// Sessions resumed with client verification need a context id.
constexpr unsigned char kSessionIdContext[] = "workwell-gateway";

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

common::Status FileError(const std::filesystem::path& file, std::string_view what, std::string_view detail) {
  return common::InvalidArgument(file.string() + ": " + std::string(what) + " (" + std::string(detail) + ")");
}

std::string Hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

std::string Fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  return Hex(md, n);
}

std::string SubjectText(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len > 0 ? static_cast<size_t>(len) : 0);
  BIO_free(bio);
  return out;
}

}  // namespace

std::optional<ClientCertificateMode> ParseClientCertificateMode(std::string_view text) {
  if (text == "none") return ClientCertificateMode::kNone;
  if (text == "optional") return ClientCertificateMode::kOptional;
  if (text == "required") return ClientCertificateMode::kRequired;
  return std::nullopt;
}

common::Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsSettings& settings) {
  if (settings.cert_file.empty()) return common::InvalidArgument("TLS: no certificate file given");
  if (settings.key_file.empty()) return common::InvalidArgument("TLS: no private key file given");
  if (settings.client_certificate != ClientCertificateMode::kNone && settings.client_ca_file.empty()) {
    return common::InvalidArgument("TLS: client certificates need a client CA file");
  }
  ERR_clear_error();
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
      return common::Internal("TLS: cannot set the minimum protocol version: " + OpenSslError());
    }
    SSL_CTX_set_options(native, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 |
                                    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                    SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE | SSL_OP_NO_TICKET);
    if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1) {
      return common::Internal("TLS: cannot set the cipher suites: " + OpenSslError());
    }
    if (SSL_CTX_use_certificate_chain_file(native, settings.cert_file.c_str()) != 1) {
      return FileError(settings.cert_file, "cannot read the certificate chain", OpenSslError());
    }
    if (SSL_CTX_use_PrivateKey_file(native, settings.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return FileError(settings.key_file, "cannot read the private key", OpenSslError());
    }
    if (SSL_CTX_check_private_key(native) != 1) {
      return FileError(settings.key_file, "the private key does not match the certificate",
                       settings.cert_file.string());
    }
    SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof(kSessionIdContext) - 1);
    if (settings.client_certificate != ClientCertificateMode::kNone) {
      if (SSL_CTX_load_verify_locations(native, settings.client_ca_file.c_str(), nullptr) != 1) {
        return FileError(settings.client_ca_file, "cannot read the client CA certificates", OpenSslError());
      }
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings.client_ca_file.c_str());
      if (names == nullptr) {
        return FileError(settings.client_ca_file, "holds no CA certificate", OpenSslError());
      }
      SSL_CTX_set_client_CA_list(native, names);
      int mode = SSL_VERIFY_PEER;
      if (settings.client_certificate == ClientCertificateMode::kRequired) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      SSL_CTX_set_verify(native, mode, nullptr);
      SSL_CTX_set_verify_depth(native, 4);
    } else {
      SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
    }
    return context;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return common::Internal(std::string("TLS: ") + e.what());
  }
}

std::optional<PeerCertificate> VerifiedPeerCertificate(ssl_st* ssl) {
  if (ssl == nullptr) return std::nullopt;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  PeerCertificate out;
  out.subject = SubjectText(cert);
  out.sha256 = Fingerprint(cert);
  if (out.sha256.empty()) return std::nullopt;
  return out;
}

common::Result<std::string> CertificateFileSha256(const std::filesystem::path& pem_file) {
  std::string text;
  if (common::Status s = ReadFileText(pem_file, text); !s.ok()) return common::InvalidArgument(s.message());
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  if (bio == nullptr) return common::Internal("out of memory");
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return FileError(pem_file, "holds no PEM certificate", OpenSslError());
  std::string fp = Fingerprint(cert);
  X509_free(cert);
  return fp;
}

}  // namespace workwell::security

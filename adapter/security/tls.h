#pragma once
// TLS for the gateway's listener: a server context with TLS 1.2 as the minimum (1.3 allowed),
// AEAD cipher suites with forward secrecy only (TLS 1.2: ECDHE with AES-GCM or
// CHACHA20-POLY1305), no compression, no renegotiation, and optional or required client
// certificates checked against a CA file (mutual TLS). Follows the "intermediate" profile of
// https://wiki.mozilla.org/Security/Server_Side_TLS and RFC 9325.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/common/status.h"

struct ssl_st;  // OpenSSL's SSL

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace workwell::security {

enum class ClientCertificateMode {
  kNone,      // no client certificate is asked for
  kOptional,  // asked for; a presented certificate must verify against the client CA file
  kRequired,  // the handshake fails without a certificate that verifies
};

// "none", "optional", "required".
std::optional<ClientCertificateMode> ParseClientCertificateMode(std::string_view text);

// Where the server's credentials are. Files are PEM.
struct TlsSettings {
  std::filesystem::path cert_file;       // the certificate chain, leaf first
  std::filesystem::path key_file;        // its private key (unencrypted PEM)
  std::filesystem::path client_ca_file;  // CAs for client certificates; needed unless mode is kNone
  ClientCertificateMode client_certificate = ClientCertificateMode::kNone;
};

// Builds a server context from `settings`. InvalidArgument naming the file (and what is wrong
// with it) when a file cannot be read, does not hold what it should, or the key does not match
// the certificate; also when a client certificate mode needs a CA file that is not given.
common::Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsSettings& settings);

// The client certificate of a finished handshake, when one was presented and verified.
struct PeerCertificate {
  std::string subject;  // RFC 2253, e.g. "CN=gp-system-1,O=Example"
  std::string sha256;   // fingerprint of the DER certificate, lower-case hex, no colons
};

// Reads the verified peer certificate of `ssl`; nullopt when none was presented or it did not
// verify. Safe for any handshake state.
std::optional<PeerCertificate> VerifiedPeerCertificate(ssl_st* ssl);

// The SHA-256 fingerprint (lower-case hex) of the first certificate in a PEM file, for
// registering a client's certificate. InvalidArgument naming the file.
common::Result<std::string> CertificateFileSha256(const std::filesystem::path& pem_file);

}  // namespace workwell::security

#pragma once
// Public keys for verifying client assertions, read from a JWKS document (RFC 7517, RFC 7518
// section 6) or from PEM, and JWS signature verification for RS256, RS384, ES256 and ES384
// (RFC 7518 section 3). "none", HMAC ("HS*") and every other algorithm are refused, as is any
// algorithm that does not match the key's type and curve. OpenSSL stays inside this module:
// the header names only its opaque key type.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/security/jwt.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace workwell::security {

enum class KeyType { kRsa, kEcP256, kEcP384 };

// One verification key. Immutable and cheap to copy (the OpenSSL key is shared); safe to use
// from many threads at once.
class PublicKey {
 public:
  PublicKey(std::shared_ptr<evp_pkey_st> key, KeyType type, std::string kid, std::string alg);

  KeyType type() const { return type_; }
  const std::string& kid() const { return kid_; }  // "" when the key has none
  const std::string& alg() const { return alg_; }  // "" when the key does not restrict it
  evp_pkey_st* native() const { return key_.get(); }
  // True when this key may verify signatures made with `alg`.
  bool Allows(std::string_view alg) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
  KeyType type_;
  std::string kid_;
  std::string alg_;
};

// True for the algorithms this server verifies: RS256, RS384, ES256, ES384.
bool IsSupportedAlg(std::string_view alg);

// Reads the signing keys of a JWKS document {"keys":[...]}: RSA ("n", "e", at least 2048 bits)
// and EC P-256 / P-384 ("crv", "x", "y", the point must lie on the curve). Keys whose "use" is
// not "sig" and key types other than RSA/EC ("OKP") are skipped; a symmetric ("oct") key, a
// private member ("d", "p", ...), an "alg" that does not fit the key, malformed members and a
// document without any usable key are InvalidArgument.
common::Result<std::vector<PublicKey>> ParseJwks(std::string_view text);

// Reads one "-----BEGIN PUBLIC KEY-----" PEM block (RSA of at least 2048 bits, EC P-256 or
// P-384). `kid` is the id to give it. InvalidArgument when it is not such a key.
common::Result<PublicKey> ParsePemPublicKey(std::string_view pem, std::string kid = "");

// The same for files; messages start with the file name. NotFound when it cannot be read.
common::Result<std::vector<PublicKey>> LoadJwksFile(const std::filesystem::path& path);
common::Result<PublicKey> LoadPemPublicKeyFile(const std::filesystem::path& path, std::string kid = "");

// Checks `signature` over `signing_input` with `key` for `alg`. Unauthenticated when the
// algorithm is unsupported or does not fit the key, the signature has the wrong size, or it does
// not verify.
common::Status VerifySignature(std::string_view alg, const PublicKey& key, std::string_view signing_input,
                               std::string_view signature);

// Verifies a parsed JWS against `keys`: the header's "kid", when present, picks the keys with that
// id; otherwise every key allowing the algorithm is tried. Ok when one verifies; Unauthenticated
// otherwise, with the reason (unsupported algorithm, no matching key, bad signature).
common::Status VerifyJws(const Jwt& jwt, const std::vector<PublicKey>& keys);

// Reads a whole file into `out`; NotFound naming the file when it cannot be read.
common::Status ReadFileText(const std::filesystem::path& path, std::string& out, size_t max_bytes = 1 << 20);

}  // namespace workwell::security

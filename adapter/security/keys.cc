#include "adapter/security/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <fstream>
#include <iterator>

#include "adapter/common/json/json.h"
#include "adapter/security/base64url.h"

namespace workwell::security {
namespace {

using common::InvalidArgument;
using common::Status;
using common::StatusCode;

Status Unauthenticated(std::string m) { return Status(StatusCode::kUnauthenticated, std::move(m)); }

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

std::shared_ptr<evp_pkey_st> Own(EVP_PKEY* key) { return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free); }

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

// The algorithms a key type can verify, and the coordinate size of its curve.
bool TypeAllows(KeyType type, std::string_view alg) {
  switch (type) {
    case KeyType::kRsa:
      return alg == "RS256" || alg == "RS384";
    case KeyType::kEcP256:
      return alg == "ES256";
    case KeyType::kEcP384:
      return alg == "ES384";
  }
  return false;
}

size_t CoordinateBytes(KeyType type) { return type == KeyType::kEcP384 ? 48 : 32; }

const EVP_MD* DigestFor(std::string_view alg) {
  if (alg == "RS256" || alg == "ES256") return EVP_sha256();
  if (alg == "RS384" || alg == "ES384") return EVP_sha384();
  return nullptr;
}

// Reads a base64url member of a JWK; false with a message in `error` when it is missing or bad.
bool Member(const json::Value& jwk, std::string_view name, const std::string& where, std::string& out,
            std::string& error) {
  const json::Value* v = jwk.Find(name);
  if (v == nullptr || !v->IsString()) {
    error = where + ": member \"" + std::string(name) + "\" is missing or not a string";
    return false;
  }
  std::optional<std::string> bytes = Base64UrlDecode(v->text());
  if (!bytes || bytes->empty()) {
    error = where + ": member \"" + std::string(name) + "\" is not base64url";
    return false;
  }
  out = std::move(*bytes);
  return true;
}

common::Result<std::shared_ptr<evp_pkey_st>> FromData(const char* type_name, OSSL_PARAM_BLD* bld,
                                                      const std::string& where) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || key == nullptr) {
    ERR_clear_error();
    return InvalidArgument(where + ": not a valid public key");
  }
  return Own(key);
}

common::Result<std::shared_ptr<evp_pkey_st>> RsaFromJwk(const json::Value& jwk, const std::string& where) {
  std::string n;
  std::string e;
  std::string error;
  if (!Member(jwk, "n", where, n, error) || !Member(jwk, "e", where, e, error)) return InvalidArgument(error);
  if (e.size() > 8) return InvalidArgument(where + ": RSA exponent is too large");
  std::unique_ptr<BIGNUM, BnFree> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e) return common::Internal(where + ": out of memory");
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits) {
    return InvalidArgument(where + ": RSA modulus has " + std::to_string(bits) + " bits, at least " +
                           std::to_string(kMinRsaBits) + " are required");
  }
  if (bits > kMaxRsaBits) return InvalidArgument(where + ": RSA modulus is too large");
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) return InvalidArgument(where + ": RSA exponent is invalid");
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return common::Internal(where + ": out of memory");
  }
  return FromData("RSA", bld.get(), where);
}

common::Result<std::shared_ptr<evp_pkey_st>> EcFromJwk(const json::Value& jwk, KeyType type, const std::string& where) {
  std::string x;
  std::string y;
  std::string error;
  if (!Member(jwk, "x", where, x, error) || !Member(jwk, "y", where, y, error)) return InvalidArgument(error);
  const size_t size = CoordinateBytes(type);
  if (x.size() != size || y.size() != size) {
    return InvalidArgument(where + ": EC coordinates must be " + std::to_string(size) + " bytes each");
  }
  std::string point = "\x04" + x + y;  // uncompressed point, SEC 1 section 2.3.3
  const char* group = type == KeyType::kEcP256 ? "prime256v1" : "secp384r1";
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return common::Internal(where + ": out of memory");
  }
  common::Result<std::shared_ptr<evp_pkey_st>> key = FromData("EC", bld.get(), where);
  if (!key.ok()) return InvalidArgument(where + ": EC point is not on the curve " + group);
  return key;
}

// Classifies an OpenSSL key read from PEM; InvalidArgument for anything not supported.
common::Result<KeyType> Classify(EVP_PKEY* key, const std::string& where) {
  const int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return InvalidArgument(where + ": RSA key has " + std::to_string(bits) + " bits, at least " +
                             std::to_string(kMinRsaBits) + " are required");
    }
    if (bits > kMaxRsaBits) return InvalidArgument(where + ": RSA key is too large");
    return KeyType::kRsa;
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) != 1) {
      ERR_clear_error();
      return InvalidArgument(where + ": EC key without a named curve");
    }
    const std::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") return KeyType::kEcP256;
    if (name == "secp384r1" || name == "P-384") return KeyType::kEcP384;
    return InvalidArgument(where + ": EC curve " + std::string(name) + " is not supported (P-256, P-384)");
  }
  return InvalidArgument(where + ": only RSA and EC (P-256, P-384) keys are supported");
}

}  // namespace

PublicKey::PublicKey(std::shared_ptr<evp_pkey_st> key, KeyType type, std::string kid, std::string alg)
    : key_(std::move(key)), type_(type), kid_(std::move(kid)), alg_(std::move(alg)) {}

bool PublicKey::Allows(std::string_view alg) const { return TypeAllows(type_, alg) && (alg_.empty() || alg_ == alg); }

bool IsSupportedAlg(std::string_view alg) {
  return alg == "RS256" || alg == "RS384" || alg == "ES256" || alg == "ES384";
}

common::Result<std::vector<PublicKey>> ParseJwks(std::string_view text) {
  json::Document doc;
  json::ParseError error;
  json::Limits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 10;
  if (!json::Parse(text, limits, doc, error)) return InvalidArgument("JWKS is not valid JSON: " + error.message);
  const json::Value* keys = doc.root().Find("keys");
  if (keys == nullptr || !keys->IsArray()) return InvalidArgument("JWKS has no \"keys\" array");
  std::vector<PublicKey> out;
  size_t index = 0;
  for (const json::Value& jwk : keys->items()) {
    const std::string where = "JWKS key " + std::to_string(index++);
    if (!jwk.IsObject()) return InvalidArgument(where + ": not an object");
    for (std::string_view secret : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      if (jwk.Find(secret) != nullptr) {
        return InvalidArgument(where + ": holds private or symmetric key material (\"" + std::string(secret) +
                               "\"); publish public keys only");
      }
    }
    const json::Value* kty = jwk.Find("kty");
    if (kty == nullptr || !kty->IsString()) return InvalidArgument(where + ": member \"kty\" is missing");
    std::string kid;
    std::string alg;
    if (const json::Value* v = jwk.Find("kid")) {
      if (!v->IsString()) return InvalidArgument(where + ": member \"kid\" is not a string");
      kid = std::string(v->text());
    }
    if (const json::Value* v = jwk.Find("alg")) {
      if (!v->IsString()) return InvalidArgument(where + ": member \"alg\" is not a string");
      alg = std::string(v->text());
    }
    if (const json::Value* use = jwk.Find("use")) {
      if (!use->IsString()) return InvalidArgument(where + ": member \"use\" is not a string");
      if (use->text() != "sig") continue;  // an encryption key; not for us
    }
    const std::string_view type_name = kty->text();
    if (type_name == "oct") return InvalidArgument(where + ": symmetric keys are not accepted");
    KeyType type;
    common::Result<std::shared_ptr<evp_pkey_st>> key = InvalidArgument("");
    if (type_name == "RSA") {
      type = KeyType::kRsa;
      key = RsaFromJwk(jwk, where);
    } else if (type_name == "EC") {
      const json::Value* crv = jwk.Find("crv");
      if (crv == nullptr || !crv->IsString()) return InvalidArgument(where + ": member \"crv\" is missing");
      if (crv->text() == "P-256") {
        type = KeyType::kEcP256;
      } else if (crv->text() == "P-384") {
        type = KeyType::kEcP384;
      } else {
        return InvalidArgument(where + ": curve \"" + std::string(crv->text()) + "\" is not supported (P-256, P-384)");
      }
      key = EcFromJwk(jwk, type, where);
    } else {
      continue;  // OKP and future types: not supported, not an error in someone else's JWKS
    }
    if (!key.ok()) return key.status();
    if (!alg.empty() && !TypeAllows(type, alg)) {
      return InvalidArgument(where + ": \"alg\" " + alg + " does not fit a key of this type");
    }
    out.emplace_back(std::move(key.value()), type, std::move(kid), std::move(alg));
  }
  if (out.empty()) return InvalidArgument("JWKS has no usable signing key (RSA, EC P-256 or P-384 with use \"sig\")");
  return out;
}

common::Result<PublicKey> ParsePemPublicKey(std::string_view pem, std::string kid) {
  if (pem.size() > (1 << 20)) return InvalidArgument("PEM text is too large");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return common::Internal("out of memory");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
    return InvalidArgument("no \"BEGIN PUBLIC KEY\" PEM block with a readable key");
  }
  std::shared_ptr<evp_pkey_st> key = Own(raw);
  common::Result<KeyType> type = Classify(raw, "PEM key");
  if (!type.ok()) return type.status();
  return PublicKey(std::move(key), *type, std::move(kid), "");
}

Status ReadFileText(const std::filesystem::path& path, std::string& out, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFound(path.string() + ": cannot be read");
  out.clear();
  char buf[4096];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > max_bytes)
      return InvalidArgument(path.string() + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return Status::Ok();
}

common::Result<std::vector<PublicKey>> LoadJwksFile(const std::filesystem::path& path) {
  std::string text;
  if (Status s = ReadFileText(path, text); !s.ok()) return s;
  common::Result<std::vector<PublicKey>> keys = ParseJwks(text);
  if (!keys.ok()) return Status(keys.status().code(), path.string() + ": " + keys.status().message());
  return keys;
}

common::Result<PublicKey> LoadPemPublicKeyFile(const std::filesystem::path& path, std::string kid) {
  std::string text;
  if (Status s = ReadFileText(path, text); !s.ok()) return s;
  common::Result<PublicKey> key = ParsePemPublicKey(text, std::move(kid));
  if (!key.ok()) return Status(key.status().code(), path.string() + ": " + key.status().message());
  return key;
}

Status VerifySignature(std::string_view alg, const PublicKey& key, std::string_view signing_input,
                       std::string_view signature) {
  if (!IsSupportedAlg(alg)) return Unauthenticated("algorithm \"" + std::string(alg) + "\" is not accepted");
  if (!key.Allows(alg)) return Unauthenticated("algorithm " + std::string(alg) + " does not fit the key");
  std::string der;
  std::string_view to_verify = signature;
  if (key.type() != KeyType::kRsa) {
    // JOSE carries ECDSA signatures as r || s of fixed size (RFC 7518 section 3.4); OpenSSL wants DER.
    const size_t size = CoordinateBytes(key.type());
    if (signature.size() != 2 * size) {
      return Unauthenticated(std::string(alg) + " signature must be " + std::to_string(2 * size) + " bytes");
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(signature.data());
    std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(size), nullptr);
    BIGNUM* s = BN_bin2bn(bytes + size, static_cast<int>(size), nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return common::Internal("out of memory");
    }
    unsigned char* out = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &out);
    if (len <= 0) return common::Internal("cannot encode the signature");
    der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
    to_verify = der;
  } else if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.native()))) {
    return Unauthenticated(std::string(alg) + " signature has the wrong size for the key");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return common::Internal("out of memory");
  const int rc =
      EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(alg), nullptr, key.native()) == 1
          ? EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(to_verify.data()), to_verify.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size())
          : -1;
  ERR_clear_error();
  if (rc != 1) return Unauthenticated("signature does not verify");
  return Status::Ok();
}

Status VerifyJws(const Jwt& jwt, const std::vector<PublicKey>& keys) {
  const std::string& alg = jwt.header.alg;
  if (!IsSupportedAlg(alg))
    return Unauthenticated("algorithm \"" + alg + "\" is not accepted (RS256, RS384, ES256, ES384)");
  bool any_candidate = false;
  for (const PublicKey& key : keys) {
    if (jwt.header.kid && key.kid() != *jwt.header.kid) continue;
    if (!key.Allows(alg)) continue;
    any_candidate = true;
    if (VerifySignature(alg, key, jwt.signing_input, jwt.signature).ok()) return Status::Ok();
  }
  if (!any_candidate) {
    return Unauthenticated(jwt.header.kid ? "no registered key with this kid accepts algorithm " + alg
                                          : "no registered key accepts algorithm " + alg);
  }
  return Unauthenticated("signature does not verify");
}

}  // namespace workwell::security

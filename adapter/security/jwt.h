#pragma once
// Compact JWS / JWT parsing (RFC 7515 section 7.1, RFC 7519). Parsing checks form only: three
// base64url parts, a header object with a string "alg", a claims object whose registered claims
// have the right JSON types. Signatures are checked by VerifyJws (keys.h), claims by
// ClientAssertionValidator (assertion.h). Never throws; every rejection is an InvalidArgument
// (ResourceExhausted for size limits) whose message says what is wrong without echoing the token.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/security/clock.h"

namespace workwell::security {

// The JOSE header members the gateway uses.
struct JwsHeader {
  std::string alg;                 // "RS256", "ES384", ... ("none" and others are parsed, never verified)
  std::optional<std::string> kid;  // key id
  std::optional<std::string> typ;  // e.g. "JWT"
};

// Registered claims (RFC 7519 section 4.1) and "scope". Absent claims are nullopt / empty.
struct JwtClaims {
  std::optional<std::string> iss;
  std::optional<std::string> sub;
  std::vector<std::string> aud;  // a single string becomes one element
  bool has_aud = false;
  std::optional<UnixSeconds> exp;
  std::optional<UnixSeconds> nbf;
  std::optional<UnixSeconds> iat;
  std::optional<std::string> jti;
  std::optional<std::string> scope;
};

// A parsed, not yet verified, compact JWS carrying JWT claims.
struct Jwt {
  JwsHeader header;
  JwtClaims claims;
  std::string signing_input;  // "<header>.<payload>" exactly as received (what was signed)
  std::string signature;      // decoded signature bytes
};

struct JwtLimits {
  size_t max_token_bytes = 16 * 1024;  // whole compact text
  uint32_t max_json_depth = 8;         // header and claims objects
};

// Parses a compact JWS whose payload is a JSON claims set. InvalidArgument names the part
// ("header", "claims", "signature") and the problem; ResourceExhausted when over a limit.
common::Result<Jwt> ParseJwt(std::string_view token, const JwtLimits& limits = {});

}  // namespace workwell::security

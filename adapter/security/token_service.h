#pragma once
// Short-lived opaque bearer tokens (RFC 6750) issued for a valid client assertion with the
// client_credentials grant (RFC 6749 section 4.4, SMART Backend Services). A token is 256
// random bits in base64url; the service keeps only its SHA-256, bound to the client and the
// granted scopes, until it expires.

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapter/common/status.h"
#include "adapter/security/assertion.h"
#include "adapter/security/clock.h"
#include "adapter/security/principal.h"

namespace workwell::security {

// What the token endpoint answers.
struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
  std::string scope;       // the granted scopes, space-separated
};

// Facts about the token request that are not in the assertion.
struct TokenRequestContext {
  std::string certificate_sha256;  // of the verified TLS client certificate, "" when none
  std::string certificate_subject;
};

struct TokenPolicy {
  int64_t lifetime_s = 300;
  size_t max_live_tokens = 100000;
};

// Thread-safe. The validator, clock and registry must outlive it.
class TokenService {
 public:
  TokenService(const ClientAssertionValidator& validator, const Clock& clock, TokenPolicy policy = {});

  // Validates `assertion` (Unauthenticated on any failure), refuses a client bound to a TLS
  // certificate that `context` does not carry (Unauthenticated), parses `requested_scope`
  // (InvalidArgument when malformed) and grants its intersection with the client's scopes
  // (PermissionDenied when empty). ResourceExhausted when too many tokens are live.
  common::Result<IssuedToken> Issue(std::string_view assertion, std::string_view requested_scope,
                                    const TokenRequestContext& context = {});

  // The principal of a live token; Unauthenticated for an unknown or expired one.
  common::Result<Principal> Lookup(std::string_view access_token) const;

  // Live tokens (expired ones are forgotten first).
  size_t LiveTokens() const;

 private:
  struct Entry {
    Principal principal;
    UnixSeconds expires_at;
  };
  void ForgetExpired(UnixSeconds now) const;  // needs mu_

  const ClientAssertionValidator& validator_;
  const Clock& clock_;
  const TokenPolicy policy_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Entry> tokens_;  // by SHA-256 of the token; guarded by mu_
};

// 32 bytes from OpenSSL's CSPRNG, base64url; Internal when the generator fails.
common::Result<std::string> RandomToken();

// SHA-256 of `bytes` as raw bytes.
std::string Sha256(std::string_view bytes);

}  // namespace workwell::security

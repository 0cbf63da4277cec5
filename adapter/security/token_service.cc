#include "adapter/security/token_service.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "adapter/security/base64url.h"

namespace workwell::security {
namespace {

using common::Status;
using common::StatusCode;

Status Unauthenticated(std::string m) { return Status(StatusCode::kUnauthenticated, std::move(m)); }

}  // namespace

common::Result<std::string> RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return common::Internal("random generator failed");
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string Sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), len);
}

TokenService::TokenService(const ClientAssertionValidator& validator, const Clock& clock, TokenPolicy policy)
    : validator_(validator), clock_(clock), policy_(policy) {}

void TokenService::ForgetExpired(UnixSeconds now) const {
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = it->second.expires_at <= now ? tokens_.erase(it) : std::next(it);
  }
}

common::Result<IssuedToken> TokenService::Issue(std::string_view assertion, std::string_view requested_scope,
                                                const TokenRequestContext& context) {
  common::Result<const RegisteredClient*> validated = validator_.Validate(assertion);
  if (!validated.ok()) return validated.status();
  const RegisteredClient& client = **validated;
  if (!client.certificate_sha256.empty() && client.certificate_sha256 != context.certificate_sha256) {
    return Unauthenticated("client must present its registered TLS client certificate");
  }
  if (!client.certificate_subject.empty() && client.certificate_subject != context.certificate_subject) {
    return Unauthenticated("client must present its registered TLS client certificate");
  }
  common::Result<std::vector<Scope>> requested = ParseScopeList(requested_scope);
  if (!requested.ok()) return requested.status();
  std::vector<Scope> granted = GrantScopes(*requested, client.allowed_scopes);
  if (granted.empty())
    return Status(StatusCode::kPermissionDenied, "none of the requested scopes is allowed for this client");

  common::Result<std::string> token = RandomToken();
  if (!token.ok()) return token.status();
  Entry entry;
  entry.principal.client_id = client.id;
  entry.principal.kind = client.kind;
  entry.principal.scopes = granted;
  entry.principal.ods_practice_codes = client.ods_practice_codes;
  entry.principal.service_ids = client.service_ids;
  entry.principal.icb_code = client.icb_code;
  entry.principal.certificate_sha256 = client.certificate_sha256;
  entry.principal.certificate_subject = client.certificate_subject;
  const UnixSeconds now = clock_.Now();
  entry.expires_at = now + policy_.lifetime_s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tokens_.size() >= policy_.max_live_tokens) ForgetExpired(now);
    if (tokens_.size() >= policy_.max_live_tokens) return common::ResourceExhausted("too many live tokens; try later");
    tokens_.emplace(Sha256(*token), std::move(entry));
  }
  IssuedToken out;
  out.access_token = std::move(token.value());
  out.expires_in = policy_.lifetime_s;
  out.scope = JoinScopes(granted);
  return out;
}

common::Result<Principal> TokenService::Lookup(std::string_view access_token) const {
  if (access_token.empty() || access_token.size() > 512) return Unauthenticated("unknown access token");
  const std::string key = Sha256(access_token);
  const UnixSeconds now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = tokens_.find(key);
  if (it == tokens_.end()) return Unauthenticated("unknown access token");
  if (it->second.expires_at <= now) {
    tokens_.erase(it);
    return Unauthenticated("access token has expired");
  }
  return it->second.principal;
}

size_t TokenService::LiveTokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  ForgetExpired(clock_.Now());
  return tokens_.size();
}

}  // namespace workwell::security

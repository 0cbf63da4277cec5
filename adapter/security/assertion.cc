#include "adapter/security/assertion.h"

#include <algorithm>
#include <utility>

#include "adapter/security/keys.h"

namespace workwell::security {
namespace {

using common::Status;
using common::StatusCode;

Status Unauthenticated(std::string m) { return Status(StatusCode::kUnauthenticated, std::move(m)); }

}  // namespace

void ReplayCache::ForgetExpired(UnixSeconds now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    entries_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

Status ReplayCache::Remember(std::string_view client_id, std::string_view jti, UnixSeconds expires_at,
                             UnixSeconds now) {
  std::string key;
  key.reserve(client_id.size() + 1 + jti.size());
  key.append(client_id).push_back('\0');
  key.append(jti);
  std::lock_guard<std::mutex> lock(mu_);
  ForgetExpired(now);
  if (entries_.count(key) > 0) return Status(StatusCode::kAlreadyExists, "assertion \"jti\" was already used");
  if (entries_.size() >= max_entries_) return common::ResourceExhausted("too many recent assertions; try later");
  entries_.emplace(key, expires_at);
  by_expiry_.emplace(expires_at, std::move(key));
  return Status::Ok();
}

size_t ReplayCache::Size(UnixSeconds now) {
  std::lock_guard<std::mutex> lock(mu_);
  ForgetExpired(now);
  return entries_.size();
}

ClientAssertionValidator::ClientAssertionValidator(const ClientRegistry& clients, AssertionPolicy policy,
                                                   const Clock& clock, ReplayCache& replay)
    : clients_(clients), policy_(std::move(policy)), clock_(clock), replay_(replay) {}

common::Result<const RegisteredClient*> ClientAssertionValidator::Validate(std::string_view assertion) const {
  common::Result<Jwt> parsed = ParseJwt(assertion);
  if (!parsed.ok()) return Unauthenticated("client assertion: " + parsed.status().message());
  const Jwt& jwt = *parsed;
  const JwtClaims& c = jwt.claims;
  if (!c.iss || c.iss->empty()) return Unauthenticated("client assertion has no \"iss\"");
  if (!c.sub || c.sub->empty()) return Unauthenticated("client assertion has no \"sub\"");
  if (*c.iss != *c.sub) return Unauthenticated("client assertion \"iss\" and \"sub\" differ");
  const RegisteredClient* client = clients_.Find(*c.iss);
  if (client == nullptr) return Unauthenticated("client assertion names an unknown client");
  if (Status s = VerifyJws(jwt, client->keys); !s.ok()) return Unauthenticated("client assertion: " + s.message());

  if (!c.has_aud) return Unauthenticated("client assertion has no \"aud\"");
  if (std::find(c.aud.begin(), c.aud.end(), policy_.audience) == c.aud.end()) {
    return Unauthenticated("client assertion \"aud\" is not this token endpoint");
  }
  const UnixSeconds now = clock_.Now();
  if (!c.exp) return Unauthenticated("client assertion has no \"exp\"");
  if (*c.exp <= now) return Unauthenticated("client assertion has expired");
  if (*c.exp > now + policy_.max_lifetime_s + policy_.leeway_s) {
    return Unauthenticated("client assertion \"exp\" is more than " + std::to_string(policy_.max_lifetime_s) +
                           " s ahead");
  }
  if (c.nbf && *c.nbf > now + policy_.leeway_s) return Unauthenticated("client assertion is not valid yet (\"nbf\")");
  if (c.iat && *c.iat > now + policy_.leeway_s) return Unauthenticated("client assertion \"iat\" is in the future");
  if (!c.jti || c.jti->empty()) return Unauthenticated("client assertion has no \"jti\"");
  if (c.jti->size() > policy_.max_jti_bytes) return Unauthenticated("client assertion \"jti\" is too long");
  if (Status s = replay_.Remember(client->id, *c.jti, *c.exp, now); !s.ok()) {
    if (s.code() == StatusCode::kResourceExhausted) return s;
    return Unauthenticated("client assertion \"jti\" was already used");
  }
  return client;
}

}  // namespace workwell::security

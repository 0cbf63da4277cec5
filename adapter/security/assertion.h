#pragma once
// Signed-JWT client authentication as SMART Backend Services and NHS England's signed-JWT
// authentication use it (RFC 7523 section 3):
// http://hl7.org/fhir/smart-app-launch/backend-services.html#authenticate-the-client
// https://digital.nhs.uk/developer/guides-and-documentation/security-and-authorisation/application-restricted-restful-apis-signed-jwt-authentication

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapter/common/status.h"
#include "adapter/security/clients.h"
#include "adapter/security/clock.h"
#include "adapter/security/jwt.h"

namespace workwell::security {

// Remembers assertion ids (jti) until their assertion expires, so each is accepted once.
// Thread-safe. Entries are forgotten once the clock passes their expiry.
class ReplayCache {
 public:
  explicit ReplayCache(size_t max_entries = 100000) : max_entries_(max_entries) {}

  // Records `jti` of `client_id` until `expires_at`. AlreadyExists when it is already recorded
  // and not expired; ResourceExhausted when the cache is full of live entries.
  common::Status Remember(std::string_view client_id, std::string_view jti, UnixSeconds expires_at, UnixSeconds now);
  // Live entries (after forgetting the ones expired at `now`).
  size_t Size(UnixSeconds now);

 private:
  void ForgetExpired(UnixSeconds now);  // needs mu_

  const size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, UnixSeconds> entries_;  // guarded by mu_
  std::multimap<UnixSeconds, std::string> by_expiry_;     // guarded by mu_
};

struct AssertionPolicy {
  std::string audience;          // the token endpoint URL; "aud" must equal it
  int64_t max_lifetime_s = 300;  // "exp" at most this far ahead (SMART: 5 minutes)
  int64_t leeway_s = 30;         // clock skew allowed for "nbf", "iat" and the "exp" bound
  size_t max_jti_bytes = 255;
};

// Validates client assertions. Thread-safe; the registry, clock and cache must outlive it.
class ClientAssertionValidator {
 public:
  ClientAssertionValidator(const ClientRegistry& clients, AssertionPolicy policy, const Clock& clock,
                           ReplayCache& replay);

  // Checks, in order: form (ParseJwt), "iss" == "sub" == a registered client id, the signature
  // with that client's keys (algorithm fitting the key; none/HS* refused), "aud", "exp" present,
  // in the future and at most max_lifetime_s (+ leeway) ahead, "nbf" and "iat" not in the future
  // (beyond the leeway), "jti" present and not seen before. Only a fully valid assertion
  // consumes its jti. Returns the client, or Unauthenticated (ResourceExhausted when the replay
  // cache is full) with a message naming the failed check and no claim values.
  common::Result<const RegisteredClient*> Validate(std::string_view assertion) const;

  const AssertionPolicy& policy() const { return policy_; }

 private:
  const ClientRegistry& clients_;
  const AssertionPolicy policy_;
  const Clock& clock_;
  ReplayCache& replay_;
};

}  // namespace workwell::security

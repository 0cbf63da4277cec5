#pragma once
// Who is calling: the hook the dispatcher asks for every non-public route once an
// Authenticator is installed on the router (Router::SetAuthenticator). Without one, every
// route is served as before. See docs/SECURITY.md "Authentication".

#include <string_view>

#include "adapter/api/request.h"
#include "adapter/common/status.h"
#include "adapter/security/principal.h"
#include "adapter/security/token_service.h"

namespace workwell::api {

// Decides who made a request. Implementations must be thread-safe (called from worker threads).
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller, or a Status: Unauthenticated when the request carries no credentials
  // (the message is "missing") or bad ones. Messages must not contain request data.
  virtual common::Result<security::Principal> Authenticate(const Request& request) const = 0;
};

// "Authorization: Bearer <token>" (RFC 6750 section 2.1) looked up in a TokenService. A token
// bound to a client certificate is accepted only on a connection that presented that
// certificate. The service must outlive the authenticator.
class BearerTokenAuthenticator final : public Authenticator {
 public:
  explicit BearerTokenAuthenticator(const security::TokenService& tokens) : tokens_(tokens) {}
  common::Result<security::Principal> Authenticate(const Request& request) const override;

 private:
  const security::TokenService& tokens_;
};

// The token of an "Authorization: Bearer <token>" value (scheme case-insensitive), or "" when
// the value is not of that form.
std::string_view BearerToken(std::string_view authorization);

// The message of a missing-credentials Status; the dispatcher answers it without an error code
// in WWW-Authenticate (RFC 6750 section 3.1).
inline constexpr std::string_view kMissingCredentials = "missing";

}  // namespace workwell::api

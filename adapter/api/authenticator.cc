#include "adapter/api/authenticator.h"

#include <algorithm>

namespace workwell::api {

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() || !EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  // b64token (RFC 6750 section 2.1): no spaces or other separators inside.
  const bool ok = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
  });
  return ok ? token : std::string_view();
}

common::Result<security::Principal> BearerTokenAuthenticator::Authenticate(const Request& request) const {
  const std::optional<std::string_view> header = request.Header("authorization");
  if (!header.has_value())
    return common::Status(common::StatusCode::kUnauthenticated, std::string(kMissingCredentials));
  const std::string_view token = BearerToken(*header);
  if (token.empty()) {
    return common::Status(common::StatusCode::kUnauthenticated, "the Authorization header is not a bearer token");
  }
  common::Result<security::Principal> principal = tokens_.Lookup(token);
  if (!principal.ok()) return principal.status();
  if ((!principal->certificate_sha256.empty() && principal->certificate_sha256 != request.client_cert_sha256) ||
      (!principal->certificate_subject.empty() && principal->certificate_subject != request.client_cert_subject)) {
    return common::Status(common::StatusCode::kUnauthenticated,
                          "the access token is bound to a client certificate this connection did not present");
  }
  return principal;
}

}  // namespace workwell::api

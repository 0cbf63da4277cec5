#pragma once
// POST <token path>: the OAuth 2.0 token endpoint for the client_credentials grant with a
// signed-JWT client assertion (RFC 6749 section 4.4, RFC 7523 section 2.2, SMART Backend
// Services http://hl7.org/fhir/smart-app-launch/backend-services.html#obtain-access-token).

#include <string>

#include "adapter/api/router.h"
#include "adapter/common/status.h"
#include "adapter/security/token_service.h"

namespace workwell::api {

inline constexpr std::string_view kClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// Registers the public route POST `path` (application/x-www-form-urlencoded) with the
// parameters grant_type=client_credentials, client_assertion_type, client_assertion and an
// optional scope. Answers 200 {"access_token","token_type":"bearer","expires_in","scope"} with
// Cache-Control: no-store, or an OAuth error object {"error","error_description"}:
// 400 invalid_request (missing or repeated parameters), 400 unsupported_grant_type,
// 401 invalid_client (the assertion failed), 400 invalid_scope, 503 temporarily_unavailable.
// `tokens` must outlive the router. Status as Router::Add.
common::Status AddTokenRoute(Router& router, security::TokenService& tokens, std::string path = "/token");

// Registers the public route GET /.well-known/smart-configuration, the discovery document of
// SMART Backend Services (http://hl7.org/fhir/smart-app-launch/conformance.html): the token
// endpoint, the client_credentials grant, private_key_jwt with RS384/ES384/RS256/ES256, and
// system scopes (v1 and v2). Status as Router::Add.
common::Status AddSmartConfigurationRoute(Router& router, std::string token_endpoint);

// Parses an application/x-www-form-urlencoded body. False for a bad percent-escape.
bool ParseForm(std::string_view body, Fields& out);

}  // namespace workwell::api

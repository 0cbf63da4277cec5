#include "adapter/api/token_route.h"

#include "adapter/common/json/json.h"

namespace workwell::api {
namespace {

Response OAuthJson(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = kPlainJson;
  r.body = std::move(body);
  // https://www.rfc-editor.org/rfc/rfc6749#section-5.1
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

Response OAuthError(int status, std::string_view error, std::string_view description) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject().Key("error").String(error).Key("error_description").String(description).EndObject();
  b.Finish();
  return OAuthJson(status, json::Write(doc.root()));
}

Response HandleToken(security::TokenService& tokens, const Request& request) {
  Fields form;
  if (!ParseForm(request.body, form)) return OAuthError(400, "invalid_request", "the body is not valid form encoding");
  const auto param = [&form](std::string_view name, std::string_view& out) -> int {
    int count = 0;
    for (const auto& [k, v] : form) {
      if (k == name) {
        out = v;
        ++count;
      }
    }
    return count;
  };
  std::string_view grant_type, assertion_type, assertion, scope;
  for (const auto& [name, out] : {std::pair<std::string_view, std::string_view*>{"grant_type", &grant_type},
                                  {"client_assertion_type", &assertion_type},
                                  {"client_assertion", &assertion},
                                  {"scope", &scope}}) {
    // Parameters must not be repeated (RFC 6749 section 3.2).
    if (param(name, *out) > 1)
      return OAuthError(400, "invalid_request", "parameter " + std::string(name) + " is repeated");
  }
  if (grant_type.empty()) return OAuthError(400, "invalid_request", "grant_type is missing");
  if (grant_type != "client_credentials") {
    return OAuthError(400, "unsupported_grant_type", "only grant_type=client_credentials is supported");
  }
  if (assertion_type != kClientAssertionType) {
    return OAuthError(400, "invalid_request", "client_assertion_type must be " + std::string(kClientAssertionType));
  }
  if (assertion.empty()) return OAuthError(400, "invalid_request", "client_assertion is missing");

  security::TokenRequestContext context;
  context.certificate_sha256 = request.client_cert_sha256;
  context.certificate_subject = request.client_cert_subject;
  common::Result<security::IssuedToken> issued = tokens.Issue(assertion, scope, context);
  if (!issued.ok()) {
    const common::Status& s = issued.status();
    switch (s.code()) {
      case common::StatusCode::kUnauthenticated:
        return OAuthError(401, "invalid_client", s.message());
      case common::StatusCode::kInvalidArgument:
      case common::StatusCode::kPermissionDenied:
        return OAuthError(400, "invalid_scope", s.message());
      case common::StatusCode::kResourceExhausted:
        return OAuthError(503, "temporarily_unavailable", s.message());
      default:
        return OAuthError(500, "server_error", "the token could not be issued");
    }
  }
  json::Document doc;
  json::Builder b(doc);
  b.StartObject()
      .Key("access_token")
      .String(issued->access_token)
      .Key("token_type")
      .String("bearer")
      .Key("expires_in")
      .Int(issued->expires_in)
      .Key("scope")
      .String(issued->scope)
      .EndObject();
  b.Finish();
  return OAuthJson(200, json::Write(doc.root()));
}

}  // namespace

bool ParseForm(std::string_view body, Fields& out) {
  out.clear();
  while (!body.empty()) {
    const size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name;
    std::string value;
    if (!PercentDecode(pair.substr(0, eq), true, name)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value)) return false;
    out.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

common::Status AddSmartConfigurationRoute(Router& router, std::string token_endpoint) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject().Key("token_endpoint").String(token_endpoint);
  b.Key("grant_types_supported").StartArray().String("client_credentials").EndArray();
  b.Key("token_endpoint_auth_methods_supported").StartArray().String("private_key_jwt").EndArray();
  b.Key("token_endpoint_auth_signing_alg_values_supported").StartArray();
  for (const char* alg : {"RS384", "ES384", "RS256", "ES256"}) b.String(alg);
  b.EndArray();
  b.Key("scopes_supported").StartArray().String("system/*.read").String("system/*.write").String("system/*.cruds");
  b.EndArray();
  b.Key("capabilities").StartArray();
  for (const char* c : {"client-confidential-asymmetric", "permission-v1", "permission-v2"}) b.String(c);
  b.EndArray().EndObject();
  b.Finish();
  Route route;
  route.method = "GET";
  route.pattern = "/.well-known/smart-configuration";
  route.fhir = false;
  route.public_route = true;
  route.handler = [body = json::Write(doc.root())](const Request&) {
    Response r;
    r.content_type = kPlainJson;
    r.body = body;
    return r;
  };
  return router.Add(std::move(route));
}

common::Status AddTokenRoute(Router& router, security::TokenService& tokens, std::string path) {
  Route route;
  route.method = "POST";
  route.pattern = std::move(path);
  route.fhir = false;
  route.public_route = true;  // the client authenticates with its assertion, not a token
  route.request_media_types = {"application/x-www-form-urlencoded"};
  route.handler = [&tokens](const Request& request) { return HandleToken(tokens, request); };
  return router.Add(std::move(route));
}

}  // namespace workwell::api

#include "adapter/api/dispatcher.h"

#include <exception>
#include <string>
#include <utility>

#include "adapter/api/authenticator.h"
#include "adapter/api/content_negotiation.h"
#include "adapter/api/log.h"

namespace workwell::api {
namespace {

using fhir::Severity;

bool HasBodySemantics(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

Response Route404(const Request& request) {
  return Response::Outcome(404, Severity::kError, "not-found",
                           "no route for " + request.method + " " + request.path);
}

Response Route405(const Request& request, const std::vector<std::string>& allowed) {
  std::string allow;
  for (const std::string& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  Response r = Response::Outcome(405, Severity::kError, "not-supported",
                                 "method " + request.method + " is not allowed on " + request.path +
                                     " (allowed: " + allow + ")");
  r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

security::Permission PermissionFor(const Route& route) {
  if (route.permission.has_value()) return *route.permission;
  const std::string& name = route.capability.name;
  const bool search = name == "search-type" || name == "search-system";
  if (route.method == "GET" || route.method == "HEAD") {
    return search ? security::Permission::kSearch : security::Permission::kRead;
  }
  if (route.method == "PUT" || route.method == "PATCH") return security::Permission::kUpdate;
  if (route.method == "DELETE") return security::Permission::kDelete;
  return search ? security::Permission::kSearch : security::Permission::kCreate;
}

std::string_view PermissionName(security::Permission p) {
  switch (p) {
    case security::Permission::kCreate:
      return "create";
    case security::Permission::kRead:
      return "read";
    case security::Permission::kUpdate:
      return "update";
    case security::Permission::kDelete:
      return "delete";
    case security::Permission::kSearch:
      return "search";
  }
  return "access";
}

std::string ScopeTypeFor(const Route& route, const Fields& params) {
  if (!route.scope_type.empty()) return route.scope_type;
  for (const auto& [name, value] : params) {
    if (name == "type") return value;
  }
  if (route.resource_types.size() == 1) return route.resource_types.front();
  return "*";
}

// 401 (RFC 6750 section 3): the challenge names the error only when credentials were sent.
Response Unauthorized(const common::Status& status) {
  const bool missing = status.message() == kMissingCredentials;
  Response r = Response::Outcome(401, Severity::kError, "login",
                                 missing ? "authentication required: send Authorization: Bearer <access token>"
                                         : "the access token is missing, unknown, expired or not valid here");
  std::string challenge = R"(Bearer realm="workwell-gateway")";
  if (!missing) challenge += R"(, error="invalid_token")";
  r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  r.content_type = kFhirJson;
  return r;
}

Response Forbidden(security::Permission p, std::string_view type) {
  Response r = Response::Outcome(
      403, Severity::kError, "forbidden",
      "the granted scopes do not allow " + std::string(PermissionName(p)) + " on " +
          (type == "*" ? std::string("the whole system") : std::string(type)));
  r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="workwell-gateway", error="insufficient_scope")");
  r.content_type = kFhirJson;
  return r;
}

Response CallHandler(const Route& route, const Request& request) {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    LogEvent("error", "handler_exception",
             {{"requestId", request.request_id}, {"route", route.pattern}, {"what", e.what()}});
  } catch (...) {
    LogEvent("error", "handler_exception",
             {{"requestId", request.request_id}, {"route", route.pattern}, {"what", "unknown"}});
  }
  return Response::Outcome(500, Severity::kFatal, "exception", "internal error");
}

Response HandleUnguarded(const Router& router, Request& request, const Route** matched) {
  RouteMatch match = router.Match(request.method, request.path);
  *matched = match.route;
  if (match.route == nullptr) {
    Response r = match.allowed.empty() ? Route404(request) : Route405(request, match.allowed);
    r.content_type = kFhirJson;
    return r;
  }
  const Route& route = *match.route;
  request.principal.reset();
  if (const Authenticator* auth = router.authenticator(); auth != nullptr && !route.public_route) {
    common::Result<security::Principal> principal = auth->Authenticate(request);
    if (!principal.ok()) return Unauthorized(principal.status());
    const security::Permission permission = PermissionFor(route);
    const std::string type = ScopeTypeFor(route, match.params);
    if (!principal->Allows(type, permission)) {
      Response r = Forbidden(permission, type);
      r.client_id = principal->client_id;
      return r;
    }
    request.principal = std::move(principal.value());
  }
  std::string_view content_type = kPlainJson;
  if (route.fhir) {
    const auto negotiated = NegotiateResponseType(request.Header("accept"), request.QueryParam("_format"));
    if (!negotiated.has_value()) {
      Response r = Response::Outcome(
          406, Severity::kError, "not-supported",
          "this server produces application/fhir+json only (see Accept and _format)");
      r.content_type = kFhirJson;
      return r;
    }
    content_type = *negotiated;
  }
  if (HasBodySemantics(request.method) && !route.request_media_types.empty()) {
    const auto given = request.Header("content-type");
    if ((given.has_value() && !IsAllowedMediaType(*given, route.request_media_types)) ||
        (!given.has_value() && !request.body.empty())) {
      std::string accepted;
      for (const std::string& t : route.request_media_types) {
        if (!accepted.empty()) accepted += ", ";
        accepted += t;
      }
      Response r = Response::Outcome(
          415, Severity::kError, "not-supported",
          "request body must be one of: " + accepted + " (got " +
              (given.has_value() ? MediaTypeOf(*given) : std::string("no Content-Type")) + ")");
      r.content_type = content_type;
      return r;
    }
  }
  request.path_params = std::move(match.params);
  Response r = CallHandler(route, request);
  if (r.content_type.empty()) r.content_type = content_type;
  r.client_id = request.principal ? request.principal->client_id : std::string();
  return r;
}

}  // namespace

Response Dispatcher::Handle(Request& request) const noexcept {
  try {
    const Route* matched = nullptr;
    Response response = HandleUnguarded(router_, request, &matched);
    if (router_.audit_hook()) router_.audit_hook()(request, response, matched);
    return response;
  } catch (...) {
    // Only allocation failure can reach here; answer without allocating much.
    Response r;
    r.status = 500;
    r.content_type = kFhirJson;
    r.body = R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]})";
    return r;
  }
}

}  // namespace workwell::api

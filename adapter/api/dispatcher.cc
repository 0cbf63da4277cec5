#include "adapter/api/dispatcher.h"

#include <exception>
#include <string>
#include <utility>

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

Response HandleUnguarded(const Router& router, Request& request) {
  RouteMatch match = router.Match(request.method, request.path);
  if (match.route == nullptr) {
    Response r = match.allowed.empty() ? Route404(request) : Route405(request, match.allowed);
    r.content_type = kFhirJson;
    return r;
  }
  const Route& route = *match.route;
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
  return r;
}

}  // namespace

Response Dispatcher::Handle(Request& request) const noexcept {
  try {
    return HandleUnguarded(router_, request);
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

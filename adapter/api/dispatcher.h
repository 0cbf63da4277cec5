#pragma once
// Turns a parsed Request into a Response: route lookup (404, 405 with Allow), authentication and
// scopes when the router has an Authenticator and the route is not public (401 login, 403
// forbidden; sets Request::principal), FHIR content negotiation (406), request media type checks
// (415), then the route's handler. Every error is an
// OperationOutcome; exceptions thrown by a handler are caught here and become a 500.
// Beast-free, so it is tested without sockets.

#include "adapter/api/request.h"
#include "adapter/api/response.h"
#include "adapter/api/router.h"

namespace workwell::api {

// Stateless apart from the router it reads. Thread-safe once the router is frozen; the router
// must outlive the dispatcher.
class Dispatcher {
 public:
  explicit Dispatcher(const Router& router) : router_(router) {}

  // Handles `request` (its path_params are filled from the match). Never throws. The result
  // always has content_type set.
  Response Handle(Request& request) const noexcept;

  const Router& router() const { return router_; }

 private:
  const Router& router_;
};

}  // namespace workwell::api

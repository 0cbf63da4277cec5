#pragma once
// The route registry: each route is a method, a path pattern, a handler and the capability it
// implements. The same registry drives request dispatch and the CapabilityStatement served at
// GET /metadata, so the statement lists exactly what is implemented.
//
// Patterns are "/"-separated segments. A literal segment matches itself (case-sensitive);
// "[type]" matches one of the route's resource_types; "[id]" and "[vid]" match a FHIR id
// ([A-Za-z0-9\-\.]{1,64}, https://hl7.org/fhir/R4/datatypes.html#id); any other "[name]" matches
// one non-empty segment. Captures are available as Request::PathParam("type"), ("id"), ...
// When several patterns match, the one with the most literal segments wins, then the earliest.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/api/request.h"
#include "adapter/api/response.h"
#include "adapter/common/status.h"
#include "adapter/security/scopes.h"

namespace workwell::api {

class Authenticator;

// Handles one request. Called on a worker thread, possibly concurrently with itself; may block
// (database calls). Should not throw: an escaping exception becomes a 500 OperationOutcome.
using Handler = std::function<Response(const Request&)>;

// A search parameter supported by a search-type route.
// https://hl7.org/fhir/R4/capabilitystatement-definitions.html#CapabilityStatement.rest.resource.searchParam
struct SearchParam {
  std::string name;        // "identifier"
  std::string type;        // number | date | string | token | reference | composite | quantity | uri | special
  std::string definition;  // SearchParameter canonical; may be empty
  std::string documentation;
};

// What a route contributes to the CapabilityStatement.
struct Capability {
  enum class Kind {
    kNone,         // not advertised (health checks, /metadata itself)
    kInteraction,  // a RESTful interaction: read, create, search-type, transaction, ...
    kOperation,    // an extended operation: $validate, $translate, ...
  };
  Kind kind = Kind::kNone;
  // Interaction code (https://hl7.org/fhir/R4/valueset-type-restful-interaction.html and
  // valueset-system-restful-interaction.html) or operation name without "$".
  std::string name;
  // OperationDefinition canonical; required for operations.
  std::string definition;
  std::vector<SearchParam> search_params;  // for search-type
  std::string documentation;

  // A RESTful interaction named `code`.
  static Capability Interaction(std::string code);
  // An operation `name` (without "$") defined by the OperationDefinition `definition`.
  static Capability Operation(std::string name, std::string definition);
};

// One registered route.
struct Route {
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // "/metadata", "/[type]/$validate", "/$translate", "/[type]/[id]"
  Handler handler;
  // Resource types served. Required when the pattern has "[type]" (it matches only these);
  // otherwise optional: non-empty places the capability under rest.resource, empty at system level.
  std::vector<std::string> resource_types;
  Capability capability;
  // false for plain-JSON endpoints (health checks): no FHIR content negotiation; responses are
  // application/json.
  bool fhir = true;
  // Media types (without parameters) accepted in the body of POST/PUT/PATCH; anything else is
  // answered 415. Empty means any.
  std::vector<std::string> request_media_types = {"application/fhir+json", "application/json"};
  // Access control, used only when an Authenticator is installed (Router::SetAuthenticator).
  // A public route is served without a token (metadata, health checks, the token endpoint).
  bool public_route = false;
  // What the route does, checked against the token's scopes. Unset: GET/HEAD read (search for a
  // "search-type"/"search-system" capability), POST create (search for search capabilities),
  // PUT/PATCH update, DELETE delete. Operations that only read (e.g. $validate) should say so.
  std::optional<security::Permission> permission;
  // The resource type checked against the scopes. Empty: the "[type]" capture, else the single
  // entry of resource_types, else "*" (a system-level route, which needs a "system/*..." scope).
  std::string scope_type;
};

// Called by the dispatcher after every request is answered (on the worker thread, before the
// response is written), with the route that matched (nullptr for 404/405). For an audit trail:
// it may block (a store write); it must not throw.
using AuditHook = std::function<void(const Request& request, const Response& response, const Route* route)>;

// The outcome of matching a method and path.
struct RouteMatch {
  const Route* route = nullptr;      // null when nothing matched the method and path
  Fields params;                     // captures of the matched route
  std::vector<std::string> allowed;  // methods whose routes match the path (sorted, unique)
};

// The registry. Add routes during start-up, then Freeze; after that it is read-only and safe for
// concurrent use. Routes live as long as the Router.
class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers a route. InvalidArgument for a bad pattern or inconsistent capability metadata,
  // AlreadyExists for a second route with the same method, pattern and overlapping types,
  // FailedPrecondition after Freeze.
  common::Status Add(Route route);
  // Installs the authenticator the dispatcher asks for every non-public route (nullptr: none,
  // the default, which serves every route without authentication). FailedPrecondition after
  // Freeze. The authenticator must be thread-safe.
  common::Status SetAuthenticator(std::shared_ptr<const Authenticator> authenticator);
  const Authenticator* authenticator() const { return authenticator_.get(); }
  // Installs the hook called after every answered request (empty: none). FailedPrecondition
  // after Freeze. The hook must be thread-safe.
  common::Status SetAuditHook(AuditHook hook);
  const AuditHook& audit_hook() const { return audit_hook_; }

  // Makes the registry read-only. Called by the server before it accepts connections.
  void Freeze() { frozen_ = true; }
  bool frozen() const { return frozen_; }

  // Finds the route for `method` and the decoded `path`. When no route matches the method but
  // some match the path, `allowed` lists their methods (for 405 and the Allow header).
  RouteMatch Match(std::string_view method, std::string_view path) const;

  // All routes in registration order.
  std::vector<const Route*> routes() const;

 private:
  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::shared_ptr<const Authenticator> authenticator_;
  AuditHook audit_hook_;
  bool frozen_ = false;
};

// True when `s` is a FHIR id: [A-Za-z0-9\-\.]{1,64}.
bool IsFhirId(std::string_view s);

}  // namespace workwell::api

#pragma once
// The CapabilityStatement served at GET /metadata, generated from the Router so it lists exactly
// the interactions and operations that are registered.
// https://hl7.org/fhir/R4/capabilitystatement.html and https://hl7.org/fhir/R4/http.html#capabilities

#include <string>
#include <string_view>

#include "adapter/api/router.h"
#include "adapter/common/status.h"

namespace workwell::api {

// Fixed parts of the statement.
struct CapabilityOptions {
  std::string software_name = "WorkWell FHIR Gateway";
  std::string software_version = WORKWELL_VERSION;
  std::string implementation_description = "WorkWell fit note FHIR R4 gateway";
  std::string implementation_url;  // the public base URL; omitted when empty
  std::string publisher = "WorkWell";
  std::string date;  // CapabilityStatement.date (1..1): normally the start-up time, ISO-8601 UTC
  // When authentication is on: the token endpoint URL. rest.security then names SMART on FHIR
  // and the token endpoint (http://hl7.org/fhir/smart-app-launch/conformance.html).
  std::string oauth_token_url;
  // When authentication was switched off: rest.security says so (no service, a description in
  // capitals), so nobody mistakes the deployment for a protected one.
  bool authentication_disabled = false;
};

// Renders the statement for every advertised route of `router`: system-level interactions and
// operations under rest.interaction / rest.operation, type-level ones under
// rest.resource[type].interaction / .searchParam / .operation (types sorted by name).
// Thread-safe when the router is frozen.
std::string BuildCapabilityStatement(const Router& router, const CapabilityOptions& options);

// Registers GET /metadata, which renders the statement per request from `router` (the router
// must outlive the route's use). Status as for Router::Add.
common::Status AddMetadataRoute(Router& router, CapabilityOptions options);

// Registers the system-level $versions operation (GET and POST /$versions), which answers a
// Parameters resource naming the FHIR versions served ("4.0", also the default). A POST body, when
// present, must be a Parameters resource. https://hl7.org/fhir/R4/capabilitystatement-operation-versions.html
common::Status AddVersionsOperation(Router& router);

// The canonical of the $versions OperationDefinition.
inline constexpr std::string_view kVersionsDefinition =
    "http://hl7.org/fhir/OperationDefinition/CapabilityStatement-versions";

}  // namespace workwell::api

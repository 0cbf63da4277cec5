#include "adapter/app/routes.h"

#include <chrono>

#include "adapter/api/capability_statement.h"
#include "adapter/api/log.h"

namespace workwell::app {

common::Status RegisterRoutes(const GatewayConfig& config, api::Router& router, api::Health& health) {
  api::CapabilityOptions capability;
  capability.date = api::FormatUtcSeconds(std::chrono::system_clock::now());
  if (common::Status s = api::AddMetadataRoute(router, std::move(capability)); !s.ok()) return s;
  if (common::Status s = api::AddVersionsOperation(router); !s.ok()) return s;
  if (common::Status s = health.AddRoutes(router); !s.ok()) return s;
  // FHIR interactions and operations ($validate, $translate, ...) are added here as their modules
  // land, each with its Capability so /metadata advertises it.
  return common::Status::Ok();
}

}  // namespace workwell::app

#include "adapter/app/routes.h"

#include <chrono>

#include "adapter/api/capability_statement.h"
#include "adapter/api/log.h"
#include "adapter/app/conformance_setup.h"
#include "adapter/app/validate_routes.h"

namespace workwell::app {

common::Status RegisterRoutes(const GatewayConfig& config, api::Router& router, api::Health& health) {
  api::CapabilityOptions capability;
  capability.date = api::FormatUtcSeconds(std::chrono::system_clock::now());
  if (common::Status s = api::AddMetadataRoute(router, std::move(capability)); !s.ok()) return s;
  if (common::Status s = api::AddVersionsOperation(router); !s.ok()) return s;
  if (common::Status s = health.AddRoutes(router); !s.ok()) return s;
  // The validator is loaded once here and shared by every request.
  auto validator = validation::Validator::Load(DefaultLoadOptions(), nullptr);
  if (!validator.ok()) return validator.status();
  if (common::Status s = AddValidateRoutes(router, validator.value()); !s.ok()) return s;
  return common::Status::Ok();
}

}  // namespace workwell::app

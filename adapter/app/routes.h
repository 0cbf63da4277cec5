#pragma once
// Wiring: which routes the gateway serves. Every module's HTTP surface is registered here, so the
// CapabilityStatement at /metadata lists exactly these.

#include <chrono>
#include <memory>

#include "adapter/api/health.h"
#include "adapter/app/delivery_runtime.h"
#include "adapter/app/plan_routes.h"
#include "adapter/cases/intake.h"
#include "adapter/api/router.h"
#include "adapter/app/gateway_config.h"
#include "adapter/common/status.h"

namespace workwell::app {

// Registers GET /metadata, /healthz, /readyz and the FHIR interactions and operations on
// `router`: loads the validator and the mappings and opens the store `config` names (blocking;
// call at start-up). The store, validator and translator live as long as the routes; `health`
// gets a "store" readiness check and must outlive the router's use. Status: as for
// api::Router::Add, or why the validator, the store or the mappings could not be loaded.
//
// `runtime` receives what serve keeps running after start-up: the store, the routing config
// holder (SIGHUP swaps it) and the delivery runtime (not yet started).
struct GatewayRuntime {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<cases::RoutingConfigHolder> routing;
  std::shared_ptr<DeliveryRuntime> delivery;
  std::shared_ptr<PlanSweeper> sweeper;  // not yet started
};
common::Status RegisterRoutes(const GatewayConfig& config, api::Router& router, api::Health& health,
                              GatewayRuntime& runtime);

// Today's date in the UK (Europe/London), for routing decisions.
std::chrono::sys_days UkToday();

}  // namespace workwell::app

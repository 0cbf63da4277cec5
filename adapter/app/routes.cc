#include "adapter/app/routes.h"

#include <chrono>
#include <memory>

#include "adapter/api/capability_statement.h"
#include "adapter/api/log.h"
#include "adapter/app/audit.h"
#include "adapter/app/case_routes.h"
#include "adapter/app/conformance_setup.h"
#include "adapter/app/figures_routes.h"
#include "adapter/app/rest_routes.h"
#include "adapter/app/translate_routes.h"
#include "adapter/app/validate_routes.h"
#include "adapter/mapping/engine/transforms.h"
#include "adapter/mapping/engine/translator.h"
#include "adapter/routing/routing_config.h"
#include "adapter/store/open_store.h"
#include "adapter/store/search_params.h"

namespace workwell::app {
namespace {

// Opens the configured store (creating the SQLite file on first start) and logs what opened.
common::Result<std::shared_ptr<store::Store>> OpenConfiguredStore(const StoreSettings& settings) {
  common::Result<store::StoreConfig> config = ResolveStoreConfig(settings);
  if (!config.ok()) return config.status();
  store::StoreResult<std::unique_ptr<store::Store>> opened = store::OpenStore(config.value());
  if (!opened.ok()) return common::Unavailable("store: " + opened.status().ToString());
  std::shared_ptr<store::Store> store = std::move(opened).value();
  const store::StoreInfo info = store->info();
  api::LogEvent("info", "store_open",
                {{"backend", info.backend},
                 {"schemaVersion", int64_t{info.schema_version}},
                 {"dataDir", settings.backend == "sqlite" ? settings.data_dir : std::string()}});
  return store;
}

// Readiness: the store answers a read. Not found is an answer; anything else is not ready.
api::ReadinessCheck StoreCheck(std::shared_ptr<store::Store> store) {
  return [store]() -> common::Status {
    store::StoreResult<store::ResourceVersion> probe = store->Read("Patient", "readiness-probe");
    if (probe.ok() || probe.status().code() == store::StoreCode::kNotFound ||
        probe.status().code() == store::StoreCode::kGone) {
      return common::Status::Ok();
    }
    return common::Unavailable(probe.status().ToString());
  };
}

}  // namespace

std::chrono::sys_days UkToday() {
  // Europe/London is UTC+1 (BST) when the wall clock one hour ahead of UTC reads as BST.
  const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  const auto ahead = now + std::chrono::hours(1);
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(ahead);
  const std::chrono::year_month_day ymd(day);
  const auto hm = std::chrono::hh_mm_ss(ahead - day);
  const int offset = mapping::LondonOffsetMinutes(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                                                  static_cast<int>(unsigned(ymd.day())), static_cast<int>(hm.hours().count()),
                                                  static_cast<int>(hm.minutes().count()));
  return std::chrono::floor<std::chrono::days>(offset == 60 ? ahead : now);
}

common::Status RegisterRoutes(const GatewayConfig& config, api::Router& router, api::Health& health,
                              GatewayRuntime& runtime) {
  api::CapabilityOptions capability;
  capability.date = api::FormatUtcSeconds(std::chrono::system_clock::now());
  if (config.security && config.security->authentication == api::SecurityConfig::Authentication::kRequired) {
    capability.oauth_token_url = config.security->token_endpoint;
  } else {
    capability.authentication_disabled = true;
  }
  if (common::Status s = api::AddMetadataRoute(router, std::move(capability)); !s.ok()) return s;
  if (common::Status s = api::AddVersionsOperation(router); !s.ok()) return s;
  if (common::Status s = health.AddRoutes(router); !s.ok()) return s;
  // The validator is loaded once here and shared by every request.
  validation::LoadOptions load = DefaultLoadOptions();
  load.parse_limits.max_bytes = config.server.max_body_bytes;
  load.parse_limits.max_depth = static_cast<uint32_t>(config.fhir.max_depth);
  load.parse_limits.max_array_items = static_cast<uint32_t>(config.fhir.max_array_items);
  auto validator = validation::Validator::Load(load, nullptr);
  if (!validator.ok()) return validator.status();
  if (common::Status s = AddValidateRoutes(router, validator.value()); !s.ok()) return s;

  // The store is open before the server listens, so /readyz cannot pass without it; the check
  // keeps asking it afterwards.
  common::Result<std::shared_ptr<store::Store>> store = OpenConfiguredStore(config.store);
  if (!store.ok()) return store.status();
  health.AddCheck("store", StoreCheck(store.value()));
  if (common::Status s = AddRestRoutes(router, store.value(), validator.value()); !s.ok()) return s;
  if (common::Status s = AddFiguresRoute(router, store.value(), validator.value()); !s.ok()) return s;

  mapping::Translator::Options translate;
  translate.mappings_dir = config.translate.mappings_dir;
  translate.root_dir = config.translate.root_dir;
  auto translator = mapping::Translator::Load(validator.value(), translate);
  if (!translator.ok()) return translator.status();
  if (common::Status s = AddTranslateRoute(router, translator.value()); !s.ok()) return s;

  auto routing = routing::LoadRoutingConfig(config.routing.dir);
  if (!routing.ok()) return routing.status();
  runtime.store = store.value();
  runtime.routing = std::make_shared<cases::RoutingConfigHolder>(routing.value());
  // The audit trail: every request (after it is answered, before the response goes out) and
  // every delivery's end.
  auto audit = std::make_shared<AuditRecorder>(store.value());
  if (common::Status s = audit->SelfCheck(*validator.value()); !s.ok()) return s;
  if (common::Status s = router.SetAuditHook([audit](const api::Request& request, const api::Response& response,
                                                      const api::Route* route) { audit->Record(request, response, route); });
      !s.ok()) {
    return s;
  }
  auto delivery = DeliveryRuntime::Create(
      config.delivery, store.value(), routing.value(),
      [audit](const store::OutboxEntry& entry, delivery::DeliveryEvent event, const std::string& detail) {
        audit->RecordDelivery(entry, event, detail);
      });
  if (!delivery.ok()) return delivery.status();
  runtime.delivery = delivery.value();
  cases::IntakeOptions intake_options;
  intake_options.fhir_base_url = config.delivery.public_base_url;
  intake_options.gateway.endpoint = config.delivery.public_base_url + "/$process-message";
  auto now = [] { return store::FormatInstant(store::SystemMicros()); };
  auto intake = std::make_shared<cases::CaseIntake>(translator.value(), store.value(), runtime.routing,
                                                    [] { return UkToday(); }, now, intake_options);
  CaseRouteDeps deps;
  deps.intake = intake;
  deps.store = store.value();
  std::shared_ptr<DeliveryRuntime> runtime_delivery = runtime.delivery;
  deps.metrics_text = [runtime_delivery] { return runtime_delivery->MetricsText(); };
  deps.now = now;
  if (common::Status s = AddCaseRoutes(router, std::move(deps)); !s.ok()) return s;

  stayinwork::Policy policy;
  policy.employer_deadline_days = static_cast<int>(config.plans.employer_deadline_days);
  policy.max_support_weeks_in_work = static_cast<int>(config.plans.max_support_weeks_in_work);
  policy.max_support_weeks_seeking_work = static_cast<int>(config.plans.max_support_weeks_seeking_work);
  auto plans = std::make_shared<cases::PlanService>(validator.value(), store.value(), [] { return cases::UkNowInstant(); },
                                                    policy);
  runtime.sweeper = std::make_shared<PlanSweeper>(plans, std::chrono::milliseconds(config.plans.sweep_interval_ms));
  return AddPlanRoutes(router, plans);
}

}  // namespace workwell::app

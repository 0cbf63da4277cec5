#pragma once
// The case intake and its operators' surface over HTTP:
//   POST /$submit                                 a GP record becomes a stored, routed case
//   GET  /_delivery/dead-letters                  messages delivery gave up on (JSON)
//   GET  /_delivery/dead-letters/[id]             one of them, with the message it carries
//   POST /_delivery/dead-letters/[id]/$requeue    send it again; its Task goes back to requested
//   GET  /metrics                                 Prometheus text: deliveries, latency, outbox depth
// docs/API.md and docs/ROUTING.md describe them.

#include <functional>
#include <memory>
#include <string>

#include "adapter/api/router.h"
#include "adapter/cases/intake.h"
#include "adapter/common/status.h"
#include "adapter/store/store.h"

namespace workwell::app {

inline constexpr std::string_view kSubmitDefinition = "https://fhir.workwell.nhs.uk/OperationDefinition/submit";

struct CaseRouteDeps {
  std::shared_ptr<const cases::CaseIntake> intake;
  std::shared_ptr<store::Store> store;
  std::function<std::string()> metrics_text;  // the body of /metrics
  std::function<std::string()> now;           // the current FHIR instant
};

// Registers the routes above. Status as for api::Router::Add.
common::Status AddCaseRoutes(api::Router& router, CaseRouteDeps deps);

// The JSON an operator sees for an outbox entry; with the payload (the envelope holding the
// message Bundle) when `with_payload`.
std::string OutboxEntryJson(const store::OutboxEntry& entry, bool with_payload);

// Requeues dead-lettered entry `id` and sets its case's Task back to requested. kNotFound when
// the entry is not dead-lettered.
store::StoreStatus RequeueDeadLetter(store::Store& store, int64_t id, const std::string& now);

}  // namespace workwell::app

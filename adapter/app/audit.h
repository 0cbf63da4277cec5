#pragma once
// The audit trail: one FHIR AuditEvent for every API request that reads, writes, searches or
// runs an operation, every refused access (401/403), and every delivery's end, written to the
// store before the response goes out and searchable by an auditor (a client with an
// AuditEvent.read scope): GET /AuditEvent?altid=<client>&date=ge...&outcome=4.
// https://hl7.org/fhir/R4/auditevent.html
//
// Health checks, /metrics, /metadata and discovery are not audited (they carry no data).

#include <memory>
#include <string>

#include "adapter/api/router.h"
#include "adapter/common/status.h"
#include "adapter/delivery/outbox_dispatcher.h"
#include "adapter/store/store.h"
#include "adapter/validation/validator.h"

namespace workwell::app {

inline constexpr std::string_view kClientIdSystem = "https://fhir.workwell.nhs.uk/Id/client";

class AuditRecorder {
 public:
  explicit AuditRecorder(std::shared_ptr<store::Store> store) : store_(std::move(store)) {}

  // The AuditEvent for one answered request, or "" when the request is not audited.
  std::string EventFor(const api::Request& request, const api::Response& response, const api::Route* route,
                       const std::string& now) const;
  // The AuditEvent for the end of a delivery.
  std::string DeliveryEvent(const store::OutboxEntry& entry, delivery::DeliveryEvent event, const std::string& detail,
                            const std::string& now) const;

  // Writes EventFor(...) to the store; a store failure is logged (the response is not changed).
  void Record(const api::Request& request, const api::Response& response, const api::Route* route) const;
  void RecordDelivery(const store::OutboxEntry& entry, delivery::DeliveryEvent event, const std::string& detail) const;

  // Checks that the events this recorder builds pass `validator` (start-up self-check; Internal
  // with the OperationOutcome otherwise: a defect).
  common::Status SelfCheck(const validation::Validator& validator) const;

 private:
  void Write(const std::string& event) const;
  std::shared_ptr<store::Store> store_;
};

}  // namespace workwell::app

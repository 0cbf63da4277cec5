#pragma once
// Stay in Work plans over the store (docs/STAYINWORK.md, docs/API.md): what WorkWell services
// send back, the tripartite agreement, withdrawal, the end of the plan and the Statutory Sick Pay
// fallback, each applied by the pure lifecycle (adapter/stayinwork) and committed in ONE store
// transaction with everything it implies: the new plan version, a new fit note, a Communication
// for every party that must be told (so no notification can be lost or silent), and a push of the
// plan to every GP system that subscribed to it (R4 Subscription, rest-hook channel) through the
// delivery outbox. Everything written is validated first; the gateway never stores or sends what
// its own validator rejects.
//
// Thread-safe; every call blocks on the store.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/stayinwork/lifecycle.h"
#include "adapter/store/store.h"
#include "adapter/validation/validator.h"

namespace workwell::cases {

// MessageHeader.eventCoding of the messages WorkWell services send the gateway.
inline constexpr std::string_view kMessageEventSystem = "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-MessageEvent";
inline constexpr std::string_view kPlanProposedEvent = "stay-in-work-plan-proposed";
inline constexpr std::string_view kNotificationIdSystem = "https://fhir.workwell.nhs.uk/Id/notification";

// What an HTTP route answers.
struct PlanAnswer {
  int status = 500;
  std::string body;      // a resource or an OperationOutcome
  std::string location;  // "CarePlan/<id>/_history/<v>" when a plan was written
  std::string etag;      // W/"<v>" of the plan written
};

// What a sweep did.
struct SweepResult {
  int plans_checked = 0;
  int completed_or_revoked = 0;  // period ended
  int ssp_fallbacks = 0;         // employer deadline passed
  int failures = 0;              // transitions that could not be applied
  std::vector<std::string> errors;  // "CarePlan/<id>: why", for the log (the first few)
};

class PlanService {
 public:
  using InstantClock = std::function<std::string()>;  // FHIR instant with the UK offset

  PlanService(std::shared_ptr<const validation::Validator> validator, std::shared_ptr<store::Store> store,
              InstantClock now, stayinwork::Policy policy);

  // POST /$process-message from a WorkWell service: a message Bundle whose MessageHeader event is
  // stay-in-work-plan-proposed and whose focus is a draft WorkWell-StayInWorkPlan (with its
  // CareTeam, barriers analysis and job demands). Stores them (a plan with the same identifier
  // that is still a draft is replaced by the new proposal), moves the referral's Task to
  // in-progress, and answers 200 with a response message Bundle. 400 not a message / unknown
  // event; 404 the referral is unknown; 409 the plan is no longer a draft; 422 invalid.
  // `services`, when given, are the WorkWell services (routing service ids) the sending client
  // is registered for: a plan for a referral routed elsewhere is answered 404, as if unknown.
  PlanAnswer ProcessMessage(std::string_view body, const std::vector<std::string>* services = nullptr) const;

  // POST /CarePlan/[id]/$agree, $withdraw-agreement, $employer-cannot-adjust with a Parameters
  // body (party, agreedBy, dateTime, method / party / reason). `if_match` (an ETag) guards
  // against concurrent changes: a stale one is 412. 200 with the plan after the event.
  // `services` as for ProcessMessage: a plan whose referral went elsewhere is 404.
  PlanAnswer Apply(std::string_view plan_id, std::string_view operation, std::string_view body,
                   std::string_view if_match, const std::vector<std::string>* services = nullptr) const;

  // The time-driven events due now for every open plan: the end of the period, the employer's
  // deadline (the SSP fallback). Safe to run repeatedly: a plan whose event has been applied is
  // no longer due.
  SweepResult Sweep() const;

 private:
  struct Committed;
  PlanAnswer Commit(const std::string& plan_id, int64_t version, const stayinwork::Transition& transition,
                    const std::string& now) const;
  // The lifecycle's context for `plan` now: clock, policy, a new fit note id, and the WorkWell
  // service to tell (from the referral's routing).
  stayinwork::Context MakeContext(const stayinwork::PlanView& plan, const std::string& now) const;
  std::optional<stayinwork::FitNote> FitNoteInForce(const stayinwork::Plan& plan) const;
  bool EmployerContactConsent(std::string_view subject) const;
  bool ReadStored(std::string_view reference, std::string_view type, json::Document& doc) const;

  // True when the referral `service_request_id` was routed to one of `services` (its Task's
  // "service" input); always true when `services` is null.
  bool RoutedToOneOf(const std::string& service_request_id, const std::vector<std::string>* services) const;

  std::shared_ptr<const validation::Validator> validator_;
  std::shared_ptr<store::Store> store_;
  InstantClock now_;
  stayinwork::Policy policy_;
};

// The current instant in Europe/London local time with its offset ("2026-07-01T10:00:00+01:00").
std::string UkNowInstant();

}  // namespace workwell::cases

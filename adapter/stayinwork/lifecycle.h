#pragma once
// The Stay in Work plan lifecycle (docs/STAYINWORK.md): agreement by each party, activation with
// the fit note it implies, withdrawal, the end of the plan period, and the Statutory Sick Pay
// fallback when the employer cannot make the adjustments or does not agree in time.
//
// Every function is pure and deterministic: the caller passes the clock reading, the ids of new
// resources and the fit note in force; nothing is read or written here. Each transition returns
// the new plan plus whatever the caller must store and send (a new fit note, notifications for
// its durable outbox), or a Problem (409 / 422) naming the element at fault. The caller stores
// the plan, the note and the notifications in one transaction. Thread-safe: no shared state.
// R4 CarePlan status semantics: https://hl7.org/fhir/R4/valueset-request-status.html

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/fhir/issue.h"
#include "adapter/stayinwork/fit_note.h"
#include "adapter/stayinwork/plan.h"
#include "adapter/stayinwork/problem.h"

namespace workwell::stayinwork {

// Configured limits (config, not code).
struct Policy {
  int employer_deadline_days = 14;  // the employer may agree until proposal date + this many days
  int max_support_weeks_in_work = 8;
  int max_support_weeks_seeking_work = 16;
};

// What every transition is given by its caller.
struct Context {
  std::string now;  // FHIR instant from the caller's clock, UK local offset (its date is "today")
  Policy policy;
  // Whether the patient's consent to contact the employer is on record (a UKCore Consent the
  // caller has looked up). Without it no employer agreement can be recorded.
  bool employer_contact_consent = false;
  // The WorkWell-FitNote in force for the plan. Needed when the event produces a note
  // (activation, SSP fallback); may be null otherwise.
  const FitNote* fit_note = nullptr;
  std::string new_fit_note_id;  // the id for a fit note the event produces
  // Who is told. Empty = derived: the GP system from the fit note's issuing organisation, the
  // WorkWell service from its agreement's agreedBy, the patient from CarePlan.subject.
  std::string gp_practice;
  std::string workwell_service;
};

// Who a notification is for.
enum class Recipient { kGpSystem, kWorkWellService, kPatient };
// The WorkWell-NotifiedParty code of a recipient: gp, workwell-service, patient.
std::string_view NotifiedPartyCode(Recipient recipient);

// One message the gateway must send, as plain data for the caller's durable outbox
// (store::OutboxMessage: destination from `recipient` / `recipient_reference`, payload from
// NotificationJson, key = `key`).
struct Notification {
  Recipient recipient = Recipient::kPatient;
  std::string recipient_reference;  // e.g. "Organization/gp-practice", "PractitionerRole/coach", "Patient/p"
  std::string event;                // "ssp-fallback" or "plan-agreed"
  std::string key;                  // "<plan id>/<event>/<notified code>": stable, for de-duplication
  std::string plan;                 // "CarePlan/<id>"
  std::string fit_note;             // "Observation/<id>" of the new note, or empty
  std::string patient;              // CarePlan.subject
  std::string text;                 // what happened, for a human
};

// The notification as a JSON object {recipient, recipientReference, event, key, plan, fitNote,
// patient, text}: an outbox payload.
std::string NotificationJson(const Notification& notification);

// The result of a transition that succeeded.
struct Transition {
  Plan plan;                                // the plan after the event
  std::optional<std::string> fit_note;      // JSON of a new WorkWell-FitNote, when one is recorded
  std::vector<Notification> notifications;  // to put in the outbox with the plan
};
using Outcome = common::BasicResult<Transition, Problem>;

struct AgreementEvent {
  Party party = Party::kPatient;
  std::string agreed_by;  // reference: Patient/RelatedPerson (patient), Practitioner/PractitionerRole/Organization
  std::string date_time;  // FHIR dateTime of the agreement
  std::string method;     // WorkWell-AgreementMethod code
};

// Records `event.party`'s agreement on a draft or on-hold plan. When it completes the required
// agreements (RequiredParties of the employment status) the plan becomes active: the business
// rules must pass (422 with every failed rule otherwise), ctx.fit_note is required, and unless
// that note already says "may be fit" with exactly the plan's options a replacement note
// (reason plan-agreed) is returned; the GP system and the patient are notified, and the new
// note is added to CarePlan.supportingInfo. 409: plan not draft/on-hold, party already agreed,
// fallback recorded. 422: not a party to this plan, bad event, no consent for employer contact.
Outcome RecordAgreement(const Plan& plan, const AgreementEvent& event, const Context& ctx);

// Removes `party`'s agreement. active -> on-hold (authorisation suspended, may resume when the
// party agrees again); draft and on-hold keep their status. 409: the party has not agreed, or
// the plan is completed, revoked or entered-in-error.
Outcome WithdrawAgreement(const Plan& plan, Party party, const Context& ctx);

// The plan period has ended (today after period.end): active -> completed; draft and on-hold
// -> revoked. 409 when the period has not ended (or has no end) or the plan is already closed.
Outcome ExpireAtPeriodEnd(const Plan& plan, const Context& ctx);

struct EmployerRefusal {
  std::string reason;  // why the adjustments cannot be made (sspFallback.reason)
};

// The employer records that it cannot make the adjustments: the SSP fallback (see
// ApplySspFallback). Allowed on draft, active and on-hold plans that have an employer party.
Outcome RecordEmployerCannotAdjust(const Plan& plan, const EmployerRefusal& refusal, const Context& ctx);

// The employer has not agreed a draft plan by CarePlan.created + policy.employer_deadline_days
// (inclusive): from the day after, the SSP fallback. 409 before then, or when the employer has
// agreed; 422 when CarePlan.created is missing.
Outcome ApplyEmployerDeadline(const Plan& plan, const Context& ctx);

// The time-driven event that is due today, for a scheduler that sweeps plans. The employer
// deadline is checked before the period end, so that a fallback is never skipped.
enum class DueEvent { kNone, kEmployerDeadlinePassed, kPeriodEnded };
DueEvent DueToday(const PlanView& plan, const Context& ctx);

// The "may be fit" options a plan implies: phased-return (a phased return activity),
// altered-hours (a phased-return week below the contracted hours, or below the highest week when
// none are recorded), amended-duties, workplace-adaptations. In Med3 order.
std::vector<std::string> FitNoteOptionsFor(const PlanView& plan);

// The gateway's business rules that span resources (docs/PROFILES.md): support period at most
// policy weeks (8 in work, 16 seeking work) with an end date; phased-return hours not above the
// contracted hours; review dates inside the plan period; an employer agreement only with the
// patient's consent to contact the employer. Returns the error issues found (empty = pass).
std::vector<fhir::Issue> CheckBusinessRules(const PlanView& plan, const Context& ctx);

// The plan's CareTeam (WorkWell-StayInWorkCareTeam JSON) against the plan: it is the team the
// plan names, about the same patient, and it has an employer participant exactly when the
// employer is a party (EmployerIsParty). The profile allows a team without an employer (0..*)
// because only the plan records the employment status, so this rule spans the two resources.
// Returns the error issues, with CareTeam expressions (empty = pass).
std::vector<fhir::Issue> CheckCareTeam(const PlanView& plan, std::string_view care_team_json);

}  // namespace workwell::stayinwork

#pragma once
// A WorkWell-StayInWorkPlan CarePlan read into a typed view, with the JSON it came from.
// Profile: https://fhir.workwell.nhs.uk/StructureDefinition/WorkWell-StayInWorkPlan (docs/PROFILES.md).
// R4 CarePlan: https://hl7.org/fhir/R4/careplan.html
//
// The view is what the lifecycle decides on; the JSON tree is what it edits and writes back, so
// every element the lifecycle does not change keeps its member order, number text and strings.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/stayinwork/problem.h"

namespace workwell::stayinwork {

// R4 CarePlan.status (http://hl7.org/fhir/R4/valueset-request-status.html).
enum class PlanStatus { kDraft, kActive, kOnHold, kRevoked, kCompleted, kEnteredInError, kUnknown };
std::string_view PlanStatusCode(PlanStatus status);

// The parties of CodeSystem WorkWell-PlanParty.
enum class Party { kPatient, kWorkWellService, kEmployer };
std::string_view PartyCode(Party party);
std::optional<Party> PartyFromCode(std::string_view code);

// True for a code of WorkWell-AgreementMethod (in-person, telephone, video, written, electronic).
bool IsAgreementMethod(std::string_view code);

// Extension-WorkWell-EmploymentStatus. kNotRecorded is treated as employed (the stricter case:
// an employer must agree, support up to 8 weeks), as ww-sip-1 does.
enum class EmploymentStatus { kNotRecorded, kEmployed, kSelfEmployed, kUnemployed };
std::string_view EmploymentStatusCode(EmploymentStatus status);  // "" for kNotRecorded

// True when the employer is a party whose agreement the plan needs (employed or not recorded).
bool EmployerIsParty(EmploymentStatus status);
// The parties whose agreement makes the plan active, in the order patient, service, employer.
std::vector<Party> RequiredParties(EmploymentStatus status);

// One Extension-WorkWell-PlanAgreement of the plan.
struct Agreement {
  Party party = Party::kPatient;
  std::string agreed_by;  // Reference.reference, e.g. "Organization/acme"
  std::string date_time;  // FHIR dateTime
  std::string method;     // WorkWell-AgreementMethod code
  size_t extension_index = 0;  // position in CarePlan.extension
};

// The plan's Extension-WorkWell-SSPFallback, once recorded.
struct SspFallbackState {
  std::string outcome;  // certification-pending | not-fit-certified
  std::string date_time;
  std::string reason;
  std::string fit_note;               // Reference.reference of the new fit note, or empty
  std::vector<std::string> notified;  // WorkWell-NotifiedParty codes
  size_t extension_index = 0;
};

// One Extension-WorkWell-PhasedReturnStep: a week of the phased return.
struct PhasedReturnStep {
  size_t extension_index = 0;  // position in the activity's detail.extension
  uint32_t week = 0;
  std::string hours_per_week;  // decimal text as written
  std::string note;
};

// activity:phasedReturn: the weekly steps, contracted hours and the period to full hours.
struct PhasedReturn {
  size_t activity_index = 0;
  std::vector<PhasedReturnStep> steps;
  std::optional<std::string> contracted_hours;  // decimal text
  std::string start, end;                       // scheduledPeriod
};

// One Extension-WorkWell-DutyChange of activity:amendedDuties.
struct DutyChange {
  std::string duty, change, alternative, until;
};

// activity:amendedDuties.
struct AmendedDuties {
  size_t activity_index = 0;
  std::vector<DutyChange> changes;
  std::string start, end;
};

// One activity:workplaceAdaptation.
struct WorkplaceAdaptation {
  size_t activity_index = 0;
  std::string description;
};

// One activity:review with its dates.
struct Review {
  size_t activity_index = 0;
  std::vector<std::string> events;  // scheduledTiming.event dateTimes
};

// What the lifecycle reads from a plan. Indexes locate elements for issue expressions.
struct PlanView {
  std::string id;
  PlanStatus status = PlanStatus::kUnknown;
  std::string created;  // CarePlan.created (when the plan was proposed), or empty
  std::string period_start, period_end;
  std::string subject;  // Reference.reference of the patient
  std::string care_team;
  std::vector<std::string> referrals;  // Extension-WorkWell-BasedOnReferral references
  EmploymentStatus employment_status = EmploymentStatus::kNotRecorded;
  std::vector<Agreement> agreements;
  std::optional<SspFallbackState> ssp_fallback;
  std::optional<PhasedReturn> phased_return;
  std::optional<AmendedDuties> amended_duties;
  std::vector<WorkplaceAdaptation> adaptations;
  std::vector<Review> reviews;

  // The agreement of `party`, or nullptr.
  const Agreement* AgreementOf(Party party) const;
  // True when every party in RequiredParties(employment_status) has agreed.
  bool AllRequiredAgreed() const;
};

// A plan: its JSON tree and the view read from it. Movable, not copyable; immutable once made
// (transitions return a new Plan). Safe to read from several threads.
class Plan {
 public:
  // Reads a CarePlan from JSON text. The text should already have passed the validator against
  // WorkWell-StayInWorkPlan; this checks only what the lifecycle needs (resourceType, id,
  // status, period.start, subject, well-formed agreements and codes) and reports the element
  // at fault as a 422 Problem.
  static common::BasicResult<Plan, Problem> Parse(std::string_view json_text);
  // Reads a plan from a tree (taken over). Same checks as Parse.
  static common::BasicResult<Plan, Problem> FromDocument(json::Document doc);

  const PlanView& view() const { return view_; }
  const json::Value& root() const { return doc_.root(); }
  // The plan as compact JSON (members in the order held; unchanged elements as read).
  std::string ToJson() const { return json::Write(doc_.root()); }
  // A deep copy of the tree, for a transition to edit.
  json::Document CopyDocument() const;

  Plan(Plan&&) noexcept = default;
  Plan& operator=(Plan&&) noexcept = default;

 private:
  Plan() = default;
  json::Document doc_;
  PlanView view_;
};

}  // namespace workwell::stayinwork

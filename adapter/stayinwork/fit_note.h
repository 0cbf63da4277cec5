#pragma once
// A WorkWell-FitNote Observation read into a view, and the replacement notes the lifecycle
// records: "not fit for work" for the Statutory Sick Pay fallback, "may be fit for work" with the
// plan's options when a plan is agreed. Profile:
// https://fhir.workwell.nhs.uk/StructureDefinition/WorkWell-FitNote (docs/PROFILES.md).
// The original note is never edited: a replacement is a new Observation that names it with the
// standard `observation-replaces` extension (https://hl7.org/fhir/R4/extension-observation-replaces.html).

#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/stayinwork/problem.h"

namespace workwell::stayinwork {

struct FitNoteView {
  std::string id;
  std::string outcome;                   // WorkWell-FitNoteOutcome code: not-fit | may-be-fit
  std::vector<std::string> adjustments;  // WorkWell-FitNoteAdjustment codes, as listed
  std::string period_start, period_end;  // effectivePeriod (end may be empty)
  std::string issue_date, assessment_date;
  std::string subject;                   // Reference.reference
  std::string issuer;                    // performer of type PractitionerRole
  std::string issuing_organisation;      // performer of type Organization
};

// The WorkWell-FitNoteOutcome code (not-fit | may-be-fit) of a fit note Observation, from its
// WorkWell coding or its SNOMED CT one; "" when it has neither.
std::string_view FitNoteOutcome(const json::Value& observation);

// A fit note: its JSON tree and view. Movable, not copyable; immutable; safe to read concurrently.
class FitNote {
 public:
  // Reads an Observation claiming WorkWell-FitNote (validate it first; this checks only what the
  // lifecycle copies: id, outcome, subject, both performers, effectivePeriod.start). 422 Problem
  // naming the element otherwise.
  static common::BasicResult<FitNote, Problem> Parse(std::string_view json_text);

  const FitNoteView& view() const { return view_; }
  const json::Value& root() const { return doc_.root(); }
  std::string ToJson() const { return json::Write(doc_.root()); }

  FitNote(FitNote&&) noexcept = default;
  FitNote& operator=(FitNote&&) noexcept = default;

 private:
  FitNote() = default;
  json::Document doc_;
  FitNoteView view_;
};

// The four "may be fit" options, in Med3 order, as WorkWell-FitNoteAdjustment codes.
inline constexpr std::string_view kPhasedReturn = "phased-return";
inline constexpr std::string_view kAlteredHours = "altered-hours";
inline constexpr std::string_view kAmendedDuties = "amended-duties";
inline constexpr std::string_view kWorkplaceAdaptations = "workplace-adaptations";

// Why a replacement note is recorded (WorkWell-FitNoteReplacementReason).
enum class ReplacementReason { kSspFallback, kPlanAgreed };
std::string_view ReplacementReasonCode(ReplacementReason reason);

struct ReplacementSpec {
  std::string id;    // id of the new Observation (and its fit-note identifier value)
  std::string now;   // FHIR instant from the caller's clock: `issued`; its date is the issue date and the start
  ReplacementReason reason = ReplacementReason::kSspFallback;
  // kSspFallback: outcome not-fit, no options. kPlanAgreed: outcome may-be-fit with these options.
  std::vector<std::string> adjustments;
};

// The JSON of a new WorkWell-FitNote replacing `original`: same subject, performers (issuer and
// organisation), condition(s), assessment date, functional-effects comment and reassessment
// statement; issue date and period start = the date of `spec.now`; period end = the original's
// end; `observation-replaces` -> Observation/<original id> and the replacement reason. 422 when
// the original has no end date, ends before that date, or the spec is incomplete.
common::BasicResult<std::string, Problem> BuildReplacementNote(const FitNote& original, const ReplacementSpec& spec);

}  // namespace workwell::stayinwork

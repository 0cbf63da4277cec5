#pragma once
// Reading a translated case: the resources of a translated (or submitted) FHIR Bundle, found by
// type, fullUrl and reference, and the routing facts they carry (routing::CaseSummary). Pure
// functions over the parsed Bundle; safe from any thread.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/routing/decision_engine.h"
#include "adapter/stayinwork/vocabulary.h"

namespace workwell::cases {

inline constexpr std::string_view kNhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
inline constexpr std::string_view kOdsSystem = "https://fhir.nhs.uk/Id/ods-organization-code";
inline constexpr std::string_view kFitNoteProfile = stayinwork::vocab::kFitNoteProfile;
inline constexpr std::string_view kReferralProfile = "https://fhir.workwell.nhs.uk/StructureDefinition/WorkWell-Referral";
inline constexpr std::string_view kTouchpointUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-ReferralTouchpoint";
inline constexpr std::string_view kSupportTierUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-SupportTier";
inline constexpr std::string_view kIssueDateUrl = stayinwork::vocab::kIssueDateUrl;

// One entry of the Bundle.
struct CaseEntry {
  std::string full_url;
  std::string type;
  const json::Value* resource = nullptr;  // points into the Bundle's Document
};

// The entries of a Bundle with a few look-ups. Keeps pointers into `bundle`, which must outlive it.
class CaseBundle {
 public:
  explicit CaseBundle(const json::Value& bundle);

  const std::vector<CaseEntry>& entries() const { return entries_; }
  // The first entry of `type`, or nullptr.
  const CaseEntry* First(std::string_view type) const;
  // The first entry of `type` claiming `profile` in meta.profile, or nullptr.
  const CaseEntry* FirstWithProfile(std::string_view type, std::string_view profile) const;
  // The entry a reference object ({"reference": "urn:uuid:..."} or "Type/id") points at, or nullptr.
  const CaseEntry* Resolve(const json::Value* reference) const;

 private:
  std::vector<CaseEntry> entries_;
};

// True when `resource` claims `profile` in meta.profile.
bool ClaimsProfile(const json::Value* resource, std::string_view profile);

// The string member `key` of `object`, or "".
std::string_view Str(const json::Value* object, std::string_view key);

// The valueString of the case Task input whose type.text is `name` ("icb", "service", "practice",
// "tier", "fit-note-outcome", ...), or "".
std::string_view TaskInput(const json::Value& task, std::string_view name);

// The value of the first identifier of `resource` with `system`, or "".
std::string_view IdentifierValue(const json::Value* resource, std::string_view system);

// The routing summary of a case: the GP practice's ODS code (Patient.generalPractitioner, else the
// organisation of the requesting role), the home postcode, the fit note's issue date (else the
// referral's authoredOn), consent to referral (an active Consent with scope `treatment` and a
// permit provision), the requested tier and touchpoint of a WorkWell referral, and the facts the
// mapping read from the source record (docs/MAPPING.md "case"), which win over the resources.
routing::CaseSummary SummariseCase(const CaseBundle& bundle, const std::map<std::string, std::string>& facts);

// The routing tier for a WorkWell-SupportTier code (clinical-occupational-health is the routing
// tier clinical-occupational), and back. Unknown codes give "".
std::string RoutingTierForSupportTier(std::string_view code);
std::string SupportTierForRoutingTier(std::string_view tier);

}  // namespace workwell::cases

#pragma once
// Canonical URLs and codes of the WorkWell profiles the Stay in Work lifecycle reads and writes
// (generated from fhir-profiles/src/build_workwell.py; see docs/PROFILES.md).

#include <string_view>

namespace workwell::stayinwork::vocab {

inline constexpr std::string_view kBase = "https://fhir.workwell.nhs.uk";
inline constexpr std::string_view kPlanProfile =
    "https://fhir.workwell.nhs.uk/StructureDefinition/WorkWell-StayInWorkPlan";
inline constexpr std::string_view kFitNoteProfile = "https://fhir.workwell.nhs.uk/StructureDefinition/WorkWell-FitNote";

inline constexpr std::string_view kAgreementUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-PlanAgreement";
inline constexpr std::string_view kSspFallbackUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-SSPFallback";
inline constexpr std::string_view kBasedOnReferralUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-BasedOnReferral";
inline constexpr std::string_view kEmploymentStatusUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-EmploymentStatus";
inline constexpr std::string_view kPhasedReturnStepUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-PhasedReturnStep";
inline constexpr std::string_view kContractedHoursUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-ContractedHours";
inline constexpr std::string_view kDutyChangeUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-DutyChange";
inline constexpr std::string_view kAssessmentDateUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-FitNoteAssessmentDate";
inline constexpr std::string_view kIssueDateUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-FitNoteIssueDate";
inline constexpr std::string_view kDurationUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-FitNoteDuration";
inline constexpr std::string_view kReplacementReasonUrl =
    "https://fhir.workwell.nhs.uk/StructureDefinition/Extension-WorkWell-FitNoteReplacementReason";
// Standard R4 extensions (extension-definitions.json).
inline constexpr std::string_view kReasonReferenceUrl =
    "http://hl7.org/fhir/StructureDefinition/workflow-reasonReference";
inline constexpr std::string_view kReplacesUrl = "http://hl7.org/fhir/StructureDefinition/observation-replaces";

inline constexpr std::string_view kPlanPartySystem = "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-PlanParty";
inline constexpr std::string_view kAgreementMethodSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-AgreementMethod";
inline constexpr std::string_view kSspOutcomeSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-SSPFallbackOutcome";
inline constexpr std::string_view kNotifiedPartySystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-NotifiedParty";
inline constexpr std::string_view kEmploymentStatusSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-EmploymentStatus";
inline constexpr std::string_view kPlanActivitySystem = "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-PlanActivity";
inline constexpr std::string_view kFitNoteOutcomeSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-FitNoteOutcome";
inline constexpr std::string_view kFitNoteAdjustmentSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-FitNoteAdjustment";
inline constexpr std::string_view kFitNoteComponentSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-FitNoteComponent";
inline constexpr std::string_view kReplacementReasonSystem =
    "https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-FitNoteReplacementReason";
inline constexpr std::string_view kFitNoteIdSystem = "https://fhir.workwell.nhs.uk/Id/fit-note";
inline constexpr std::string_view kSnomed = "http://snomed.info/sct";
// SNOMED CT codes as listed (unverified) in docs/PROFILES.md.
inline constexpr std::string_view kMed3Code = "1331000000103";
inline constexpr std::string_view kMed3Display = "Med3 certificate issued to patient";

}  // namespace workwell::stayinwork::vocab

#pragma once
// Test inputs for the Stay in Work lifecycle: a WorkWell-StayInWorkPlan and a WorkWell-FitNote
// built from a few parameters, and a fixture that validates every resource against the real
// WorkWell profiles with the project's validator (loaded once per test binary).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapter/common/check.h"
#include "adapter/fhir/issue.h"
#include "adapter/stayinwork/fit_note.h"
#include "adapter/stayinwork/lifecycle.h"
#include "adapter/stayinwork/plan.h"
#include "tests/unit/validation/validator_fixture.h"

namespace workwell::stayinwork::testing {

inline constexpr char kCs[] = "https://fhir.workwell.nhs.uk/CodeSystem/";
inline constexpr char kSd[] = "https://fhir.workwell.nhs.uk/StructureDefinition/";
inline const std::string kPlanProfile = std::string(kSd) + "WorkWell-StayInWorkPlan";
inline const std::string kFitNoteProfile = std::string(kSd) + "WorkWell-FitNote";
inline constexpr char kPatient[] = "Patient/workwell-patient-example";
inline constexpr char kCoach[] = "PractitionerRole/workwell-coach-example";
inline constexpr char kEmployer[] = "Organization/workwell-employer-example";
inline constexpr char kGpPractice[] = "Organization/workwell-gp-practice-example";

struct Step {
  int week;
  std::string hours;
};

struct PlanSpec {
  std::string id = "plan-1";
  std::string status = "draft";
  std::string created = "2026-11-16T09:00:00+00:00";
  std::string start = "2026-11-16";
  std::string end = "2027-01-11";
  std::string employment;              // "" = not recorded
  std::vector<std::string> parties;    // agreed so far
  std::vector<Step> steps = {{1, "15"}, {2, "22.50"}, {3, "30"}};
  std::string contracted = "37.5";
  bool amended_duties = true;
  bool adaptation = true;
  std::vector<std::string> reviews = {"2026-11-30T10:00:00+00:00", "2026-12-14T10:00:00+00:00"};
  bool supporting_info = true;
};

inline std::string Coding(const std::string& system, const std::string& code) {
  return R"({"system":")" + system + R"(","code":")" + code + R"("})";
}

inline std::string AgreementJson(const std::string& party) {
  const std::string who = party == "patient" ? kPatient : party == "employer" ? kEmployer : kCoach;
  return R"({"extension":[{"url":"party","valueCoding":)" + Coding(std::string(kCs) + "WorkWell-PlanParty", party) +
         R"(},{"url":"agreedBy","valueReference":{"reference":")" + who +
         R"("}},{"url":"dateTime","valueDateTime":"2026-11-16T10:00:00+00:00"},{"url":"method","valueCoding":)" +
         Coding(std::string(kCs) + "WorkWell-AgreementMethod", "in-person") + R"(}],"url":")" + kSd +
         R"(Extension-WorkWell-PlanAgreement"})";
}

inline std::string PlanJson(const PlanSpec& s) {
  std::string j = R"({"resourceType":"CarePlan","id":")" + s.id + R"(","meta":{"profile":[")" + kPlanProfile +
                  R"("]},"extension":[{"url":")" + kSd +
                  R"(Extension-WorkWell-BasedOnReferral","valueReference":{"reference":"ServiceRequest/referral-1"}})";
  if (!s.employment.empty()) {
    j += R"(,{"url":")" + std::string(kSd) +
         R"(Extension-WorkWell-EmploymentStatus","valueCodeableConcept":{"coding":[)" +
         Coding(std::string(kCs) + "WorkWell-EmploymentStatus", s.employment) + "]}}";
  }
  for (const std::string& p : s.parties) j += "," + AgreementJson(p);
  j += R"(],"identifier":[{"system":"https://fhir.workwell.nhs.uk/Id/stay-in-work-plan","value":")" + s.id +
       R"("}],"status":")" + s.status + R"(","intent":"plan","category":[{"coding":[)" +
       Coding(std::string(kCs) + "WorkWell-CarePlanCategory", "stay-in-work-plan") +
       R"(]}],"title":"Stay in Work plan","subject":{"reference":")" + kPatient +
       R"(","display":"Sam Example"},"period":{"start":")" + s.start + "\"";
  if (!s.end.empty()) j += R"(,"end":")" + s.end + "\"";
  j += "}";
  if (!s.created.empty()) j += R"(,"created":")" + s.created + "\"";
  j += R"(,"careTeam":[{"reference":"CareTeam/team-1"}],"addresses":[{"reference":"Condition/lowbackpain"}])";
  if (s.supporting_info) j += R"(,"supportingInfo":[{"reference":"Observation/note-1"}])";
  std::vector<std::string> acts;
  auto act = [&](const std::string& code) {
    return R"("code":{"coding":[)" + Coding(std::string(kCs) + "WorkWell-PlanActivity", code) + "]}";
  };
  if (!s.steps.empty()) {
    std::string a = R"({"detail":{"extension":[)";
    for (size_t i = 0; i < s.steps.size(); ++i) {
      if (i > 0) a += ",";
      a += R"({"extension":[{"url":"week","valuePositiveInt":)" + std::to_string(s.steps[i].week) +
           R"(},{"url":"hoursPerWeek","valueDecimal":)" + s.steps[i].hours + R"(}],"url":")" + kSd +
           R"(Extension-WorkWell-PhasedReturnStep"})";
    }
    if (!s.contracted.empty()) {
      a += R"(,{"url":")" + std::string(kSd) + R"(Extension-WorkWell-ContractedHours","valueDecimal":)" + s.contracted +
           "}";
    }
    a +=
        "]," + act("phased-return") +
        R"(,"status":"scheduled","scheduledPeriod":{"start":"2026-11-23","end":"2026-12-14"},"description":"Building up to full hours."}})";
    acts.push_back(a);
  }
  if (s.amended_duties) {
    acts.push_back(R"({"detail":{"extension":[{"extension":[{"url":"duty","valueString":"Loading delivery vans"},)"
                   R"({"url":"change","valueCode":"removed"},{"url":"until","valueDate":"2026-12-31"}],"url":")" +
                   std::string(kSd) + R"(Extension-WorkWell-DutyChange"}],)" + act("amended-duties") +
                   R"(,"status":"scheduled","scheduledPeriod":{"start":"2026-11-23","end":"2026-12-31"}}})");
  }
  if (s.adaptation) {
    acts.push_back(R"({"detail":{)" + act("workplace-adaptation") +
                   R"(,"status":"scheduled","description":"Sit-stand workstation at the dispatch desk."}})");
  }
  if (!s.reviews.empty()) {
    std::string ev;
    for (const std::string& r : s.reviews) ev += (ev.empty() ? "\"" : ",\"") + r + "\"";
    acts.push_back(R"({"detail":{)" + act("review") + R"(,"status":"scheduled","scheduledTiming":{"event":[)" + ev +
                   "]}}}");
  }
  if (!acts.empty()) {
    j += R"(,"activity":[)";
    for (size_t i = 0; i < acts.size(); ++i) j += (i > 0 ? "," : "") + acts[i];
    j += "]";
  }
  return j + "}";
}

struct NoteSpec {
  std::string id = "note-1";
  std::string outcome = "not-fit";
  std::vector<std::string> options;
  std::string start = "2026-11-02";
  std::string end = "2027-01-31";
  std::string subject = kPatient;
};

inline std::string FitNoteJson(const NoteSpec& s) {
  const std::string sct_outcome = s.outcome == "not-fit" ? "751481000000104" : "751601000000107";
  std::string comps;
  for (const std::string& o : s.options) {
    comps += R"({"code":{"coding":[)" + Coding(std::string(kCs) + "WorkWell-FitNoteComponent", "adjustment") +
             R"(]},"valueCodeableConcept":{"coding":[)" + Coding(std::string(kCs) + "WorkWell-FitNoteAdjustment", o) +
             "]}},";
  }
  comps += R"({"code":{"coding":[)" + Coding(std::string(kCs) + "WorkWell-FitNoteComponent", "functional-effects") +
           R"(]},"valueString":"Low back pain limits lifting."},{"code":{"coding":[)" +
           Coding(std::string(kCs) + "WorkWell-FitNoteComponent", "reassessment-needed") +
           R"(]},"valueBoolean":false})";
  return R"({"resourceType":"Observation","id":")" + s.id + R"(","meta":{"profile":[")" + kFitNoteProfile +
         R"("]},"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/workflow-reasonReference","valueReference":{"reference":"Condition/lowbackpain"}},)"
         R"({"url":")" +
         kSd + R"(Extension-WorkWell-FitNoteAssessmentDate","valueDate":")" + s.start +
         R"("},)"
         R"({"url":")" +
         kSd + R"(Extension-WorkWell-FitNoteIssueDate","valueDate":")" + s.start +
         R"("}],)"
         R"("status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":"1331000000103"}]},)"
         R"("subject":{"reference":")" +
         s.subject + R"("},"effectivePeriod":{"start":")" + s.start + R"(","end":")" + s.end +
         R"("},"performer":[{"reference":"PractitionerRole/issuer-1","type":"PractitionerRole"},{"reference":")" +
         kGpPractice +
         R"(","type":"Organization","display":"Example Medical Centre"}],"valueCodeableConcept":{"coding":[)" +
         Coding(std::string(kCs) + "WorkWell-FitNoteOutcome", s.outcome) + "," +
         Coding("http://snomed.info/sct", sct_outcome) + R"(]},"component":[)" + comps + "]}";
}

inline Plan MakePlan(const PlanSpec& s) {
  auto p = Plan::Parse(PlanJson(s));
  WW_CHECK(p.ok());
  return std::move(p).value();
}

inline FitNote MakeNote(const NoteSpec& s) {
  auto n = FitNote::Parse(FitNoteJson(s));
  WW_CHECK(n.ok());
  return std::move(n).value();
}

inline std::string Dump(const std::vector<fhir::Issue>& issues) { return fhir::RenderOperationOutcome(issues, true); }

class LifecycleTest : public validation::ValidatorFixture {
 protected:
  // Asserts that `json` has no errors against `profile`.
  static void ExpectValid(const std::string& json, const std::string& profile) {
    const auto errors = Errors(json, {profile});
    EXPECT_TRUE(errors.empty()) << Dump(errors) << "\n" << json;
  }
  // Asserts every resource of a transition is valid.
  static void ExpectAllValid(const Transition& t) {
    ExpectValid(t.plan.ToJson(), kPlanProfile);
    if (t.fit_note) ExpectValid(*t.fit_note, kFitNoteProfile);
  }
  static Context At(const std::string& now) {
    Context c;
    c.now = now;
    c.employer_contact_consent = true;
    c.new_fit_note_id = "note-2";
    return c;
  }
};

}  // namespace workwell::stayinwork::testing

#include "adapter/validation/validator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/validation/validator_fixture.h"

namespace workwell::validation {
namespace {

using ValidatorTest = ValidatorFixture;

bool AnyContains(const std::vector<fhir::Issue>& issues, std::string_view fragment) {
  for (const fhir::Issue& i : issues) {
    if (i.text.find(fragment) != std::string::npos) return true;
  }
  return false;
}

std::string Dump(const std::vector<fhir::Issue>& issues) { return fhir::RenderOperationOutcome(issues, true); }

TEST_F(ValidatorTest, AcceptsAMinimalValidPatient) {
  EXPECT_TRUE(Errors(R"({"resourceType":"Patient","active":true})").empty());
}

TEST_F(ValidatorTest, ReportsBaseCardinalityWithTheParentLocation) {
  auto errors = Errors(R"({"resourceType":"Observation","status":"final"})");
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_EQ(errors[0].expression, "Observation");
  EXPECT_NE(errors[0].text.find("Observation.code: minimum required = 1, but only found 0"), std::string::npos);
}

TEST_F(ValidatorTest, ChecksRequiredBindingsAgainstLocalValueSets) {
  auto errors = Errors(R"({"resourceType":"Encounter","status":"completed","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}})");
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_EQ(errors[0].expression, "Encounter.status");
  EXPECT_TRUE(Errors(R"({"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}})").empty());
}

TEST_F(ValidatorTest, DoesNotFailCodesThatCannotBeCheckedOffline) {
  EXPECT_TRUE(Errors(R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},)"
                     R"("code":{"coding":[{"system":"http://snomed.info/sct","code":"123456789"}]}})")
                  .empty());
}

TEST_F(ValidatorTest, RejectsUnknownCodesInCompleteLocalCodeSystems) {
  auto errors = Errors(R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},"clinicalStatus":)"
                       R"({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"nope"}]}})");
  EXPECT_TRUE(AnyContains(errors, "nope")) << Dump(errors);
}

TEST_F(ValidatorTest, EvaluatesInvariants) {
  auto errors = Errors(R"({"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/1"},)"
                       R"("prediction":[{"probabilityDecimal":120}]})");
  EXPECT_TRUE(AnyContains(errors, "ras-2")) << Dump(errors);
  auto local = Errors(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                      R"("subject":{"reference":"#missing"}})");
  EXPECT_TRUE(AnyContains(local, "ref-1")) << Dump(local);
  EXPECT_TRUE(Errors(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"#p"},)"
                     R"("contained":[{"resourceType":"Patient","id":"p","active":true}]})")
                  .empty());
}

TEST_F(ValidatorTest, ChecksReferenceTargetTypes) {
  auto errors = Errors(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                       R"("subject":{"reference":"Medication/1"}})");
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_EQ(errors[0].expression, "Observation.subject");
  EXPECT_NE(errors[0].text.find("not a valid Target"), std::string::npos);
}

TEST_F(ValidatorTest, UnknownExtensionsAreErrorsExceptForExampleDomains) {
  auto errors = Errors(R"({"resourceType":"Patient","extension":[{"url":"http://unknown.nhs.uk/x","valueString":"a"}]})");
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_EQ(errors[0].expression, "Patient.extension[0]");
  EXPECT_TRUE(Errors(R"({"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueString":"a"}]})").empty());
}

TEST_F(ValidatorTest, ValidatesKnownExtensionsAgainstTheirDefinition) {
  // patient-birthPlace takes an Address, not a string.
  auto errors = Errors(R"({"resourceType":"Patient","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueString":"Leeds"}]})");
  EXPECT_FALSE(errors.empty());
  EXPECT_TRUE(Errors(R"({"resourceType":"Patient","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueAddress":{"city":"Leeds"}}]})").empty());
}

TEST_F(ValidatorTest, GeneratesUkCoreSnapshotsAndChecksTheirSlices) {
  const Profile* p = validator().profiles().Find("https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient");
  ASSERT_NE(p, nullptr);
  const ElementDef* identifier = p->root.FindChild("identifier");
  ASSERT_NE(identifier, nullptr);
  ASSERT_FALSE(identifier->slices.empty());
  const ElementDef& nhs = identifier->slices[0];
  EXPECT_EQ(nhs.slice_name, "nhsNumber");
  const ElementDef* system = nhs.FindChild("system");
  ASSERT_NE(system, nullptr);
  ASSERT_NE(system->fixed, nullptr);
  EXPECT_EQ(system->fixed->text(), "https://fhir.nhs.uk/Id/nhs-number");
  // Two NHS numbers break the slice's max of 1.
  auto errors = Errors(R"({"resourceType":"Patient","meta":{"profile":["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},)"
                       R"("identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"},)"
                       R"({"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765870"}]})");
  EXPECT_TRUE(AnyContains(errors, "nhsNumber")) << Dump(errors);
}

TEST_F(ValidatorTest, UnknownClaimedProfilesAreWarnings) {
  auto issues = Check(R"({"resourceType":"Patient","meta":{"profile":["http://unknown.org/StructureDefinition/p"]}})");
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].severity, fhir::Severity::kWarning);
  EXPECT_TRUE(Errors(R"({"resourceType":"Patient","meta":{"profile":["http://unknown.org/StructureDefinition/p"]}})").empty());
}

TEST_F(ValidatorTest, ChecksBundleEntryRules) {
  auto errors = Errors(R"({"resourceType":"Bundle","type":"collection","entry":[)"
                       R"({"fullUrl":"Patient/1","resource":{"resourceType":"Patient","id":"1"}},)"
                       R"({"fullUrl":"http://a.org/fhir/Patient/2","resource":{"resourceType":"Patient","id":"3"}},)"
                       R"({"fullUrl":"urn:uuid:1c4d6e2a-0b7e-4c64-9d51-2f1a7c3e9b10","resource":{"resourceType":"Patient"}},)"
                       R"({"fullUrl":"urn:uuid:1c4d6e2a-0b7e-4c64-9d51-2f1a7c3e9b10","resource":{"resourceType":"Patient"}}]})");
  EXPECT_TRUE(AnyContains(errors, "must be an absolute URL")) << Dump(errors);
  EXPECT_TRUE(AnyContains(errors, "does not match the ID")) << Dump(errors);
  EXPECT_TRUE(AnyContains(errors, "Duplicate fullUrl")) << Dump(errors);
}

TEST_F(ValidatorTest, ResolvesReferencesInsideTheBundleForInvariants) {
  // bdl-7-style rules and resolve() need the entries: a document whose Composition subject
  // resolves inside the Bundle is accepted.
  auto errors = Errors(R"({"resourceType":"Bundle","type":"collection","entry":[)"
                       R"({"fullUrl":"http://a.org/fhir/Patient/1","resource":{"resourceType":"Patient","id":"1"}},)"
                       R"({"fullUrl":"http://a.org/fhir/Observation/2","resource":{"resourceType":"Observation","id":"2",)"
                       R"("status":"final","code":{"text":"x"},"subject":{"reference":"Patient/1"}}}]})");
  EXPECT_TRUE(errors.empty()) << Dump(errors);
}

TEST_F(ValidatorTest, ReportsParseProblemsAsFatal) {
  auto issues = Check(R"({"resourceType":"Patient","active":"yes"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].expression, "Patient.active");
}

// The project's own profile examples: valid ones have no errors, each invalid one fails and,
// where the rule is an invariant, fails on that invariant.
TEST_F(ValidatorTest, ProfileExamplesMeetTheirExpectations) {
  const std::string dir = WORKWELL_PROFILES_SOURCE "/examples";
  std::ifstream csv(dir + "/expectations.csv");
  ASSERT_TRUE(csv) << "missing " << dir << "/expectations.csv";
  std::string line;
  std::getline(csv, line);  // header
  int checked = 0;
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cols;
    std::stringstream ls(line);
    std::string col;
    while (std::getline(ls, col, ',')) cols.push_back(col);
    ASSERT_GE(cols.size(), 3u) << line;
    SCOPED_TRACE(cols[0]);
    std::ifstream in(dir + "/" + cols[0]);
    std::stringstream ss;
    ss << in.rdbuf();
    auto errors = Errors(ss.str(), {cols[1]});
    if (cols[2] == "valid") {
      EXPECT_TRUE(errors.empty()) << Dump(errors);
    } else {
      EXPECT_FALSE(errors.empty());
      if (cols.size() > 3 && cols[3].rfind("ww-", 0) == 0) {
        EXPECT_TRUE(AnyContains(errors, cols[3].substr(0, cols[3].find(' ')))) << Dump(errors);
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace workwell::validation

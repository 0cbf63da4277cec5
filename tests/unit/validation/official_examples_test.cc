#include "adapter/validation/validator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/unit/validation/validator_fixture.h"

namespace workwell::validation {
namespace {

using OfficialExamplesTest = ValidatorFixture;

// Every official R4 example up to 300 KB (the larger files are definition bundles and big
// expansions) validates without error, except these, which break a rule of R4 itself; each must
// fail for the reason given (the start of its first error).
TEST_F(OfficialExamplesTest, ValidateExceptTheKnownInvalidOnes) {
  const std::map<std::string, std::string> kKnownInvalid = {
      {"Observation-example-genetics-brcapat.json", "The extension http://hl7.org/fhir/us/core/StructureDefinitio"},
      {"SearchParameter-valueset-extensions-ValueSet-author.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"SearchParameter-valueset-extensions-ValueSet-keyword.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"Questionnaire-qs1.json", "Questionnaire.item.linkId: minimum required = 1, but only fo"},
      {"SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json", "an id must be 1 to 64 characters"},
      {"StructureDefinition-FiveWs.json", "Constraint failed: sdf-4: 'If the structure is not abstract,"},
      {"SearchParameter-valueset-extensions-ValueSet-workflow.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"StructureDefinition-Event.json", "Constraint failed: sdf-4: 'If the structure is not abstract,"},
      {"Bundle-10bb101f-a121-4264-a920-67be9cb82c74.json", "Resource ID does not match the ID in the entry full URL ('pa"},
      {"SearchParameter-codesystem-extensions-CodeSystem-author.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"Observation-clinical-gender.json", "The type 'Encounter' implied by the reference URL Encounter/"},
      {"SearchParameter-valueset-extensions-ValueSet-end.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"SearchParameter-codesystem-extensions-CodeSystem-effective.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"StructureDefinition-Definition.json", "Constraint failed: sdf-4: 'If the structure is not abstract,"},
      {"SearchParameter-valueset-extensions-ValueSet-effective.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"Patient-dicom.json", "The extension http://nema.org/fhir/extensions#0010:1010 coul"},
      {"Bundle-lri-example.json", "Resource ID does not match the ID in the entry full URL ('gr"},
      {"DeviceUseStatement-example.json", "The type 'Procedure' implied by the reference URL Procedure/"},
      {"MedicationRequest-medrx0301.json", "The type 'Practitioner' implied by the reference URL Practit"},
      {"SearchParameter-codesystem-extensions-CodeSystem-workflow.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"SearchParameter-codesystem-extensions-CodeSystem-end.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"DeviceMetric-example.json", "The type 'DeviceDefinition' implied by the reference URL Dev"},
      {"SearchParameter-codesystem-extensions-CodeSystem-keyword.json", "SearchParameter.base: minimum required = 1, but only found 0"},
      {"Media-1.2.840.11361907579238403408700.3.1.04.19970327150033.json", "The extension http://nema.org/fhir/extensions#0002-0010 coul"},
      {"StructureDefinition-Request.json", "Constraint failed: sdf-4: 'If the structure is not abstract,"},
      {"Bundle-3a0707d3-549e-4467-b8b8-5a2ab3800efe.json", "Resource ID does not match the ID in the entry full URL ('pa"},
  };
  const char* env = std::getenv("WORKWELL_FHIR_DIR");
  const std::string dir = std::string(env != nullptr ? env : WORKWELL_DEFAULT_FHIR_DIR) + "/examples";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << "run scripts/setup.sh";
  size_t validated = 0;
  std::map<std::string, std::string> unexpected;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name == "package.json" || entry.file_size() > 300000) continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto errors = Errors(ss.str());
    ++validated;
    auto known = kKnownInvalid.find(name);
    if (known == kKnownInvalid.end()) {
      if (!errors.empty()) unexpected[name] = errors[0].expression + ": " + errors[0].text;
      continue;
    }
    ASSERT_FALSE(errors.empty()) << name << " was expected to fail: " << known->second;
    bool reason_found = false;
    for (const fhir::Issue& e : errors) reason_found = reason_found || e.text.rfind(known->second, 0) == 0;
    EXPECT_TRUE(reason_found) << name << ": expected '" << known->second << "', got " << errors[0].text;
  }
  for (const auto& [name, error] : unexpected) ADD_FAILURE() << name << " -> " << error;
  EXPECT_GT(validated, 5000u);
}

}  // namespace
}  // namespace workwell::validation

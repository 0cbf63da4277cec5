#include "adapter/mapping/engine/mapping.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/mapping/engine/test_support.h"

namespace workwell::mapping {
namespace {

namespace fs = std::filesystem;

class MappingLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ww_mapping_load_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto validator = testing::SharedValidator();
    auto maps = ConceptMapRegistry::Build(validator->index().All("ConceptMap"));
    ASSERT_TRUE(maps.ok());
    maps_ = std::make_unique<ConceptMapRegistry>(std::move(maps).value());
    ctx_.model = &validator->model();
    ctx_.concept_maps = maps_.get();
    ctx_.root_dir = testing::SourceDir();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& text) {
    const fs::path p = dir_ / "test.map.json";
    std::ofstream(p) << text;
    return p.string();
  }

  // Loads `text` and returns the error message ("" when it loaded).
  std::string Errors(const std::string& text) {
    auto m = LoadMapping(Write(text), "mappings/test.map.json", ctx_);
    return m.ok() ? std::string() : m.status().message();
  }

  static std::string WithRules(const std::string& rules, const std::string& type = "Patient",
                               const std::string& format = "json") {
    return "{\n"
           "  \"mapping\": \"t\", \"version\": \"1\", \"format\": \"" + format + "\",\n"
           "  \"schema\": \"docs/schemas/fit-note.schema.json\",\n"
           "  \"identity\": {\"system\": \"/sourceSystem\", \"record\": \"/sourceRecordId\"},\n"
           "  \"resources\": [\n"
           "    {\"name\": \"r\", \"type\": \"" + type + "\", \"profile\": \"http://x\", \"rules\": [\n" +
           rules + "\n    ]}\n  ]\n}\n";
  }

  fs::path dir_;
  std::unique_ptr<ConceptMapRegistry> maps_;
  MappingContext ctx_;
};

TEST_F(MappingLoadTest, GoodRulesLoad) {
  EXPECT_EQ(Errors(WithRules(R"(      {"target": "birthDate", "source": "/patient/birthDate", "transform": "date"},
      {"target": "name[0].given[+]", "foreach": {"var": "g", "count": "/patient/name/given"}, "source": "/patient/name/given/{g}"})")),
            "");
}

TEST_F(MappingLoadTest, SyntaxErrorNamesTheLine) {
  EXPECT_EQ(Errors("{\n  \"mapping\": \"t\",\n  \"version\" \"1\"\n}\n").rfind("mappings/test.map.json:3: JSON syntax error", 0), 0u);
}

TEST_F(MappingLoadTest, UnknownKeyNamesTheLine) {
  const std::string e = Errors(WithRules(R"(      {"target": "birthDate", "source": "/patient/birthDate"},
      {"target": "gender", "cosnt": "male"})"));
  EXPECT_NE(e.find("mappings/test.map.json:8: unknown key 'cosnt' in a rule"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, UnknownFhirElement) {
  const std::string e = Errors(WithRules(R"(      {"target": "birthDay", "source": "/patient/birthDate"})"));
  EXPECT_NE(e.find("mappings/test.map.json:7: unknown FHIR element 'Patient.birthDay'"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, RepeatingElementNeedsAnIndex) {
  const std::string e = Errors(WithRules(R"(      {"target": "name.family", "source": "/patient/name/family"})"));
  EXPECT_NE(e.find(":7: 'Patient.name' repeats"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, UnknownSourcePathAgainstTheSchema) {
  const std::string e = Errors(WithRules(R"(      {"target": "birthDate", "source": "/patient/dateOfBirth"})"));
  EXPECT_NE(e.find(":7: unknown source path '/patient/dateOfBirth'"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, UnknownConceptMap) {
  const std::string e = Errors(WithRules(R"(      {"target": "gender", "source": "/outcome", "conceptMap": "https://example.org/nope"})"));
  EXPECT_NE(e.find(":7: unknown ConceptMap 'https://example.org/nope'"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, UnknownTransformAndVariable) {
  const std::string e = Errors(WithRules(R"(      {"target": "birthDate", "source": "/patient/birthDate", "transform": "iso"},
      {"target": "name[0].given[+]", "source": "/patient/name/given/{g}"})"));
  EXPECT_NE(e.find(":7: unknown transform 'iso'"), std::string::npos) << e;
  EXPECT_NE(e.find(":8: unknown variable {g}"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, UnknownHl7Segment) {
  std::string text = WithRules(R"(      {"target": "birthDate", "source": "PXD-7"})", "Patient", "hl7v2");
  text.replace(text.find("  \"schema\": \"docs/schemas/fit-note.schema.json\",\n"), 50, "");
  const std::string e = Errors(text);
  EXPECT_NE(e.find("unknown source path 'PXD-7': REF^I12 has no segment PXD"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, BadConstantAndUnknownRef) {
  const std::string e = Errors(WithRules(R"(      {"target": "birthDate", "const": "yesterday"},
      {"target": "generalPractitioner[+]", "ref": "practice"})"));
  EXPECT_NE(e.find(":7: constant 'yesterday' is not a valid date"), std::string::npos) << e;
  EXPECT_NE(e.find(":8: no resource is named 'practice'"), std::string::npos) << e;
}

TEST_F(MappingLoadTest, SelfCheckRejectsAMappingWhoseOutputItsProfileRejects) {
  const fs::path mappings = dir_ / "mappings";
  fs::create_directories(mappings);
  std::ofstream(mappings / "bad.map.json")
      << "{\n"
         "  \"mapping\": \"bad\", \"version\": \"1\", \"format\": \"json\",\n"
         "  \"identity\": {\"system\": \"/sourceSystem\", \"record\": \"/sourceRecordId\"},\n"
         "  \"examples\": [\"examples/records/fit-note-not-fit.json\"],\n"
         "  \"resources\": [\n"
         "    {\"name\": \"patient\", \"type\": \"Patient\",\n"
         "     \"profile\": \"https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient\", \"rules\": [\n"
         "      {\"target\": \"birthDate\", \"source\": \"/patient/birthDate\"},\n"
         "      {\"target\": \"gender\", \"const\": \"man\"}\n"
         "    ]}\n  ]\n}\n";
  Translator::Options options;
  options.mappings_dir = mappings.string();
  options.root_dir = testing::SourceDir();
  auto t = Translator::Load(testing::SharedValidator(), options);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("bad.map.json:9: example examples/records/fit-note-not-fit.json"),
            std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace workwell::mapping

#include "adapter/fhir/json_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/unit/fhir/model_fixture.h"

namespace workwell::fhir {
namespace {

class JsonFormatTest : public ModelFixture {
 protected:
  // Parses `text`; returns the issues (empty when accepted).
  std::vector<Issue> Issues(std::string_view text) {
    JsonFormat format(model());
    Resource r;
    IssueSink sink;
    bool ok = format.Parse(text, ParseOptions{}, r, sink);
    EXPECT_EQ(ok, !sink.HasErrors());
    return sink.issues();
  }
  // Expects exactly one error at `expression` whose text contains `fragment`.
  void ExpectRejected(std::string_view text, std::string_view expression, std::string_view fragment) {
    std::vector<Issue> issues = Issues(text);
    ASSERT_EQ(issues.size(), 1u) << text;
    EXPECT_EQ(issues[0].expression, expression) << issues[0].text;
    EXPECT_NE(issues[0].text.find(fragment), std::string::npos) << issues[0].text;
    EXPECT_TRUE(issues[0].severity == Severity::kError || issues[0].severity == Severity::kFatal);
  }
  std::string RoundTrip(std::string_view text) {
    JsonFormat format(model());
    Resource r;
    IssueSink sink;
    EXPECT_TRUE(format.Parse(text, ParseOptions{}, r, sink)) << RenderOperationOutcome(sink.issues());
    return JsonFormat::Write(r);
  }
};

TEST_F(JsonFormatTest, KeepsDecimalTextAndWritesSpecOrder) {
  EXPECT_EQ(RoundTrip(R"({"valueQuantity":{"unit":"kg","value":1.50},"status":"final","code":{"text":"w"},"resourceType":"Observation"})"),
            R"({"resourceType":"Observation","status":"final","code":{"text":"w"},"valueQuantity":{"value":1.50,"unit":"kg"}})");
  EXPECT_EQ(RoundTrip(R"({"resourceType":"Observation","status":"final","code":{"text":"w"},"valueQuantity":{"value":1e2}})"),
            R"({"resourceType":"Observation","status":"final","code":{"text":"w"},"valueQuantity":{"value":1e2}})");
}

TEST_F(JsonFormatTest, PrimitiveExtensionsSurviveWithNullPlaceholders) {
  const char* text =
      R"({"resourceType":"Patient","name":[{"_given":[null,{"extension":[{"url":"http://x.org/e","valueString":"v"}]}],)"
      R"("given":["A",null]}],"_gender":{"id":"g1"},"gender":"female"})";
  EXPECT_EQ(RoundTrip(text),
            R"({"resourceType":"Patient","name":[{"given":["A",null],)"
            R"("_given":[null,{"extension":[{"url":"http://x.org/e","valueString":"v"}]}]}],"gender":"female","_gender":{"id":"g1"}})");
}

TEST_F(JsonFormatTest, RejectsDuplicateKeys) {
  ExpectRejected(R"({"resourceType":"Patient","gender":"male","gender":"female"})", "Patient.gender", "duplicate");
}

TEST_F(JsonFormatTest, RejectsTwoValuesForOneChoice) {
  ExpectRejected(R"({"resourceType":"Patient","deceasedBoolean":true,"deceasedDateTime":"2020"})", "Patient.deceased",
                 "choice");
}

TEST_F(JsonFormatTest, RejectsEmptyObjectsArraysAndStrings) {
  ExpectRejected(R"({"resourceType":"Patient","name":[{}]})", "Patient.name[0]", "empty");
  ExpectRejected(R"({"resourceType":"Patient","name":[]})", "Patient.name", "empty");
  ExpectRejected(R"({"resourceType":"Patient","name":[{"family":""}]})", "Patient.name[0].family", "empty");
  ExpectRejected(R"({"resourceType":"Patient","name":[{"family":"   "}]})", "Patient.name[0].family", "non-whitespace");
}

TEST_F(JsonFormatTest, RejectsNullOutsidePrimitiveExtensionArrays) {
  ExpectRejected(R"({"resourceType":"Patient","gender":null})", "Patient.gender", "must be written as a string");
  ExpectRejected(R"({"resourceType":"Patient","name":[{"given":["A",null]}]})", "Patient.name[0].given[1]", "null");
  ExpectRejected(R"({"resourceType":"Patient","name":[null]})", "Patient.name[0]", "null");
  ExpectRejected(R"({"resourceType":"Patient","name":[{"given":[null],"_given":[null]}]})", "Patient.name[0].given[0]",
                 "null");
  EXPECT_TRUE(Issues(R"({"resourceType":"Patient","name":[{"given":["A"],"_given":[null]}]})").empty());
}

TEST_F(JsonFormatTest, RejectsTheWrongJsonTypeForPrimitives) {
  ExpectRejected(R"({"resourceType":"Patient","active":"true"})", "Patient.active", "must be written as a boolean");
  ExpectRejected(R"({"resourceType":"Patient","gender":1})", "Patient.gender", "must be written as a string");
  ExpectRejected(R"({"resourceType":"Patient","multipleBirthInteger":"2"})", "Patient.multipleBirth.ofType(integer)",
                 "must be written as a number");
  ExpectRejected(R"({"resourceType":"Patient","birthDate":19800101})", "Patient.birthDate", "must be written as a string");
  ExpectRejected(R"({"resourceType":"Patient","name":"Smith"})", "Patient.name", "array");
  ExpectRejected(R"({"resourceType":"Patient","gender":["male"]})", "Patient.gender", "not an array");
}

TEST_F(JsonFormatTest, RejectsUnknownProperties) {
  ExpectRejected(R"({"resourceType":"Patient","nmae":[{"family":"X"}]})", "Patient.nmae", "unrecognised");
  ExpectRejected(R"({"resourceType":"Patient","name":[{"_family":{"id":"a"},"famly":"X"}]})", "Patient.name[0].famly",
                 "unrecognised");
  ExpectRejected(R"({"resourceType":"Patient","_name":[{"id":"a"}]})", "Patient._name", "unrecognised");
  ExpectRejected(R"({"resourceType":"Patient","extension":[{"url":"http://a","_url":{"id":"x"}}]})",
                 "Patient.extension[0]._url", "unrecognised");
}

TEST_F(JsonFormatTest, RejectsUnknownOrMissingResourceType) {
  ExpectRejected(R"({"resourceType":"Patent"})", "$this", "unknown resourceType");
  ExpectRejected(R"({"id":"x"})", "$this", "no resourceType");
  ExpectRejected(R"({"resourceType":"DomainResource","id":"x"})", "$this", "unknown resourceType");
}

TEST_F(JsonFormatTest, RejectsInvalidUtf8WithALocation) {
  ExpectRejected("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\xC3\x28\"}]}", "name[0].family", "UTF-8");
}

struct LexicalCase {
  const char* json_property;  // a Patient/Observation fragment holding the value
  const char* expression;
};

TEST_F(JsonFormatTest, RejectsBadLexicalForms) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("id":"has space")", "Patient.id"},
      {R"("id":"a_b")", "Patient.id"},
      {R"("birthDate":"1980-13-01")", "Patient.birthDate"},
      {R"("birthDate":"1981-02-29")", "Patient.birthDate"},
      {R"("birthDate":"80-01-01")", "Patient.birthDate"},
      {R"("deceasedDateTime":"2020-01-01T10:00:00")", "Patient.deceased.ofType(dateTime)"},
      {R"("deceasedDateTime":"2020-01-01T25:00:00Z")", "Patient.deceased.ofType(dateTime)"},
      {R"("meta":{"lastUpdated":"2020-01-01"})", "Patient.meta.lastUpdated"},
      {R"("implicitRules":"http://a b")", "Patient.implicitRules"},
      {R"("gender":" male")", "Patient.gender"},
      {R"("gender":"a  b")", "Patient.gender"},
      {R"("extension":[{"url":"http://a","valueOid":"urn:oid:3.1"}])", "Patient.extension[0].value.ofType(oid)"},
      {R"("extension":[{"url":"http://a","valueOid":"urn:oid:1.02"}])", "Patient.extension[0].value.ofType(oid)"},
      {R"("extension":[{"url":"http://a","valueUuid":"urn:uuid:ABCDEF00-0000-0000-0000-000000000000"}])",
       "Patient.extension[0].value.ofType(uuid)"},
      {R"("extension":[{"url":"http://a","valuePositiveInt":0}])", "Patient.extension[0].value.ofType(positiveInt)"},
      {R"("extension":[{"url":"http://a","valueCode":"a\tb"}])", "Patient.extension[0].value.ofType(code)"},
      {R"("photo":[{"data":"abc"}])", "Patient.photo[0].data"},
      {R"("photo":[{"data":"ab=c"}])", "Patient.photo[0].data"},
      {R"("photo":[{"size":-1}])", "Patient.photo[0].size"},
      {R"("photo":[{"size":1.5}])", "Patient.photo[0].size"},
      {R"("multipleBirthInteger":2147483648)", "Patient.multipleBirth.ofType(integer)"},
      {R"("communication":[{"language":{"text":"en"},"preferred":"yes"}])", "Patient.communication[0].preferred"},
  };
  for (const auto& [fragment, expression] : cases) {
    SCOPED_TRACE(fragment);
    std::vector<Issue> issues = Issues(R"({"resourceType":"Patient",)" + fragment + "}");
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].expression, expression);
  }
  // oid, uuid (via a uuid-typed element), time, positiveInt and instant have dedicated elements elsewhere.
  EXPECT_EQ(Issues(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueTime":"24:00:00"})").size(), 1u);
  EXPECT_EQ(Issues(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"issued":"2020-01-01T10:00Z"})").size(), 1u);
  EXPECT_EQ(Issues(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueTime":"23:59:60.5"})").size(), 0u);
  EXPECT_EQ(Issues(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueSampledData":)"
                   R"({"origin":{"value":1},"period":1,"dimensions":0,"data":"1"}})").size(), 1u);
  EXPECT_EQ(Issues(R"({"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.840.10004"}]})").size(), 0u);
}

TEST_F(JsonFormatTest, ChecksContainedAndBundledResources) {
  EXPECT_EQ(Issues(R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","active":1}}]})")[0]
                .expression,
            "Bundle.entry[0].resource.active");
  EXPECT_TRUE(Issues(R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"N"}]})").empty());
}

TEST_F(JsonFormatTest, EnforcesExpectedTypeAndLimits) {
  JsonFormat format(model());
  Resource r;
  IssueSink sink;
  ParseOptions options;
  options.expected_type = "Observation";
  EXPECT_FALSE(format.Parse(R"({"resourceType":"Patient"})", options, r, sink));
  options = ParseOptions{};
  options.limits.max_depth = 3;
  IssueSink sink2;
  EXPECT_FALSE(format.Parse(R"({"resourceType":"Patient","name":[{"period":{"start":"2020"}}]})", options, r, sink2));
  ASSERT_EQ(sink2.issues().size(), 1u);
  EXPECT_EQ(sink2.issues()[0].code, "too-costly");
}

// Every official R4 example (and the shared sample) parses and writes back to the same JSON
// tree, numbers compared by their text. One official example breaks a rule of the
// specification itself and must be rejected for exactly that reason.
TEST_F(JsonFormatTest, RoundTripsEveryOfficialExample) {
  // file name -> the FHIRPath of the only error it must produce
  const std::map<std::string, std::string> kInvalidInSpec = {
      // Its id has 67 characters; R4 ids are at most 64 (https://hl7.org/fhir/R4/datatypes.html#id).
      {"SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json", "SearchParameter.id"},
  };
  ParseOptions options;
  options.limits.max_bytes = 64u << 20;  // the definitions bundles shipped among the examples
  std::vector<std::filesystem::path> files;
  for (const std::string& dir : {FhirDir() + "/examples", SharedDir() + "/conformance/r4-examples"}) {
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".json" && entry.path().filename() != "package.json") files.push_back(entry.path());
    }
  }
  ASSERT_GT(files.size(), 5000u) << "the official examples are missing: run scripts/setup.sh";
  JsonFormat format(model());
  size_t checked = 0, rejected = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    json::Document original;
    json::ParseError err;
    ASSERT_TRUE(json::Parse(text, options.limits, original, err)) << file;
    if (original.root().Find("resourceType") == nullptr) continue;  // package metadata files
    Resource r;
    IssueSink sink;
    const bool parsed = format.Parse(text, options, r, sink);
    if (auto known = kInvalidInSpec.find(file.filename().string()); known != kInvalidInSpec.end()) {
      EXPECT_FALSE(parsed) << file;
      ASSERT_EQ(sink.issues().size(), 1u) << file;
      EXPECT_EQ(sink.issues()[0].expression, known->second);
      ++rejected;
      continue;
    }
    ASSERT_TRUE(parsed) << file << "\n" << RenderOperationOutcome(sink.issues(), true);
    const std::string written = JsonFormat::Write(r);
    json::Document reparsed;
    ASSERT_TRUE(json::Parse(written, options.limits, reparsed, err)) << file;
    ASSERT_TRUE(json::Equal(original.root(), reparsed.root())) << file;
    ++checked;
  }
  RecordProperty("examples_round_tripped", static_cast<int>(checked));
  EXPECT_GT(checked, 5000u);
  EXPECT_EQ(rejected, kInvalidInSpec.size());
}

}  // namespace
}  // namespace workwell::fhir

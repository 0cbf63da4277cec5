#include "adapter/mapping/engine/translator.h"

#include <gtest/gtest.h>

#include <sstream>

#include "adapter/common/json/json.h"
#include "adapter/mapping/engine/translate_http.h"
#include "tests/unit/mapping/engine/test_support.h"

namespace workwell::mapping {
namespace {

using testing::ReadFile;
using testing::SharedTranslator;
using testing::SharedValidator;
using testing::SourceDir;

std::string Example(const std::string& name) { return ReadFile(SourceDir() + "/examples/records/" + name); }

TranslateOptions Fixed() {
  TranslateOptions o;
  o.now = "2026-11-30T12:00:00+00:00";
  return o;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The first error issue of a rejected result.
const fhir::Issue& FirstError(const TranslateResult& r) {
  for (const fhir::Issue& i : r.issues) {
    if (i.severity == fhir::Severity::kError) return i;
  }
  static const fhir::Issue kNone;
  ADD_FAILURE() << "no error issue in " << r.Outcome();
  return kNone;
}

TEST(Translator, EveryOutputOfEveryExampleValidatesWithZeroErrors) {
  const Translator& t = SharedTranslator();
  ASSERT_EQ(t.FormatNames(), (std::vector<std::string>{"fhir", "fitnote-csv", "fitnote-json", "ref-i12", "referral-json"}));
  size_t bundles = 0;
  for (const auto& m : t.mappings()) {
    for (const std::string& example : m->examples) {
      const std::string text = ReadFile(SourceDir() + "/" + example);
      std::vector<std::string> outputs;
      if (m->format == SourceFormat::kCsv) {
        std::istringstream in(text);
        t.TranslateCsvBulk(*m, in, Fixed(), 2, [&](size_t, const TranslateResult& r) {
          EXPECT_TRUE(r.ok) << example << ": " << r.Outcome(true);
          outputs.push_back(r.bundle);
        });
      } else {
        const TranslateResult r = t.Translate(m->name, text, Fixed());
        EXPECT_TRUE(r.ok) << example << ": " << r.Outcome(true);
        outputs.push_back(r.bundle);
      }
      for (const std::string& bundle : outputs) {
        fhir::IssueSink sink;
        EXPECT_TRUE(SharedValidator()->ValidateJson(bundle, {}, sink)) << example;
        for (const fhir::Issue& i : sink.issues()) {
          EXPECT_NE(i.severity, fhir::Severity::kError) << example << ": " << i.expression << ": " << i.text;
        }
        ++bundles;
      }
    }
  }
  EXPECT_EQ(bundles, 3u + 2u + 2u + 10u);
}

TEST(Translator, ResubmissionGivesTheSameIds) {
  const std::string text = Example("fit-note-not-fit.json");
  const TranslateResult a = SharedTranslator().Translate("fitnote-json", text, Fixed());
  const TranslateResult b = SharedTranslator().Translate("fitnote-json", text, Fixed());
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.bundle, b.bundle);
  const TranslateResult other =
      SharedTranslator().Translate("fitnote-json", Replace(text, "FN-2026-", "FN-2027-"), Fixed());
  ASSERT_TRUE(other.ok) << other.Outcome(true);
  EXPECT_NE(a.bundle.substr(0, 200), other.bundle.substr(0, 200));
}

TEST(Translator, TransactionBundlesPutEachResource) {
  TranslateOptions o = Fixed();
  o.transaction = true;
  const TranslateResult r = SharedTranslator().Translate("referral-json", Example("referral-community-msk.json"), o);
  ASSERT_TRUE(r.ok) << r.Outcome(true);
  EXPECT_NE(r.bundle.find("\"type\":\"transaction\""), std::string::npos);
  EXPECT_NE(r.bundle.find("\"request\":{\"method\":\"PUT\",\"url\":\"Patient/"), std::string::npos);
  // FHIR-native input: a transaction goes straight to validation.
  const TranslateResult fhir = SharedTranslator().Translate("fhir", r.bundle, Fixed());
  EXPECT_TRUE(fhir.ok) << fhir.Outcome(true);
  const TranslateResult collection =
      SharedTranslator().Translate("fhir", SharedTranslator().Translate("referral-json", Example("referral-community-msk.json"), Fixed()).bundle, Fixed());
  EXPECT_FALSE(collection.ok);
  EXPECT_EQ(FirstError(collection).expression, "Bundle.type");
}

TEST(Translator, ProvenanceNamesSourceMappingAndHash) {
  const std::string text = Example("fit-note-unemployed.json");
  const TranslateResult r = SharedTranslator().Translate("fitnote-json", text, Fixed());
  ASSERT_TRUE(r.ok) << r.Outcome(true);
  EXPECT_NE(r.bundle.find("\"policy\":[\"https://fhir.workwell.nhs.uk/mappings/fitnote-json.map.json|1.0.0\"]"),
            std::string::npos);
  EXPECT_NE(r.bundle.find("\"system\":\"https://fhir.workwell.nhs.uk/Id/input-sha256\""), std::string::npos);
  EXPECT_NE(r.bundle.find("\"system\":\"https://fhir.workwell.nhs.uk/Id/source-system\""), std::string::npos);
}

TEST(Translator, CoverageListsWhatNoRuleRead) {
  const TranslateResult r = SharedTranslator().Translate("fitnote-json", Example("fit-note-may-be-fit-physio.json"), Fixed());
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.coverage.populated, r.coverage.mapped + r.coverage.unmapped.size());
  bool job_title = false;
  for (const UnmappedField& f : r.coverage.unmapped) job_title = job_title || f.path == "/employment/jobTitle";
  EXPECT_TRUE(job_title);
}

struct BadInput {
  const char* name;
  const char* format;
  std::string input;
  const char* location;
  const char* expression;  // "" for records that could not be read at all
};

class MalformedInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(MalformedInput, IsRejectedWithLocationAndExpression) {
  const BadInput& b = GetParam();
  const TranslateResult r = SharedTranslator().Translate(b.format, b.input, Fixed());
  ASSERT_FALSE(r.ok) << r.bundle.substr(0, 200);
  const fhir::Issue& e = FirstError(r);
  EXPECT_EQ(e.location, b.location) << r.Outcome(true);
  EXPECT_EQ(e.expression, b.expression) << r.Outcome(true);
  EXPECT_NE(r.Outcome().find("\"resourceType\":\"OperationOutcome\""), std::string::npos);
}

std::vector<BadInput> BadInputs() {
  const std::string fit = Example("fit-note-not-fit.json");
  const std::string physio = Example("fit-note-may-be-fit-physio.json");
  const std::string referral = Example("referral-community-msk.json");
  const std::string hl7 = Example("ref-i12-hospital-discharge.hl7");
  const std::string csv = Example("fit-notes-extract.csv");
  const std::string csv_header = csv.substr(0, csv.find('\n') + 1);
  const size_t row2 = csv_header.size();
  const std::string csv_row = csv.substr(row2, csv.find('\n', row2) + 1 - row2);
  std::vector<BadInput> v;
  v.push_back({"json_missing_comma", "fitnote-json", Example("invalid/fit-note-missing-comma.json"), "/patient/birthDate", ""});
  v.push_back({"json_nhs_check_digit", "fitnote-json", Replace(physio, "9993456780", "9993456781"), "/patient/nhsNumber",
               "Patient.identifier[0].value"});
  v.push_back({"json_missing_family", "fitnote-json", Replace(physio, "\"family\": \"Begum\"", "\"suffix\": \"x\""),
               "/patient/name/family", "Patient.name[0].family"});
  v.push_back({"json_bad_date", "fitnote-json", Replace(physio, "\"birthDate\": \"1988-02-29\"", "\"birthDate\": \"1989-02-29\""),
               "/patient/birthDate", "Patient.birthDate"});
  v.push_back({"json_unknown_profession", "fitnote-json", Replace(physio, "\"physiotherapist\"", "\"plumber\""),
               "/issuer/profession", "PractitionerRole.code[0].coding[0]"});
  v.push_back({"json_unknown_outcome", "fitnote-json", Replace(fit, "\"not-fit\"", "\"off sick\""), "/outcome",
               "Observation.valueCodeableConcept.coding[0]"});
  v.push_back({"json_bad_ods", "fitnote-json", Replace(physio, "\"M87021\"", "\"M8\""), "/practice/odsCode",
               "Organization.identifier[0].value"});
  v.push_back({"json_unknown_tier", "referral-json", Replace(referral, "\"non-clinical-coach\"", "\"coach\""),
               "/requestedTier", "ServiceRequest.extension[1].valueCodeableConcept.coding[0].code"});
  v.push_back({"json_missing_record_id", "referral-json", Replace(referral, "\"sourceRecordId\"", "\"sourceRecordID\""),
               "/sourceRecordId", "Bundle"});
  v.push_back({"hl7_lowercase_segment", "ref-i12", Example("invalid/ref-i12-lowercase-segment.hl7"), "segment 5", ""});
  v.push_back({"hl7_no_nhs_number", "ref-i12", Example("invalid/ref-i12-no-nhs-number.hl7"), "PID-3", ""});
  v.push_back({"hl7_short_encoding", "ref-i12", Example("invalid/ref-i12-short-encoding-characters.hl7"), "MSH-2", ""});
  v.push_back({"hl7_nhs_check_digit", "ref-i12", Replace(hl7, "9995678128", "9995678127"), "PID-3.1",
               "Patient.identifier[0].value"});
  v.push_back({"hl7_bad_birth_date", "ref-i12", Replace(hl7, "19691201", "19691301"), "PID-7", "Patient.birthDate"});
  v.push_back({"hl7_unknown_priority", "ref-i12", Replace(hl7, "R^Routine^HL70280", "Q^Queue^HL70280"), "RF1-2.1",
               "ServiceRequest.priority"});
  v.push_back({"csv_stray_quote", "fitnote-csv", Example("invalid/fit-notes-stray-quote.csv"),
               "line 3, column 46 (family_name)", ""});
  v.push_back({"csv_unterminated_quote", "fitnote-csv", Example("invalid/fit-notes-unterminated-quote.csv"),
               "line 3, column 133 (functional_effects)", ""});
  v.push_back({"csv_bad_uk_date", "fitnote-csv", csv_header + Replace(csv_row, "1980-01-15", "31/02/1980"),
               "line 2, column 56 (birth_date)", "Patient.birthDate"});
  v.push_back({"csv_missing_nhs_number", "fitnote-csv", csv_header + Replace(csv_row, "9991000011", ""),
               "line 2, column 34 (nhs_number)", "Patient.identifier[0].value"});
  v.push_back({"csv_bad_boolean", "fitnote-csv", csv_header + Replace(csv_row, "Driver,2026-10-26,Y", "Driver,2026-10-26,perhaps"),
               "line 2, column 397 (consent_referral)", "Consent.status"});
  return v;
}

INSTANTIATE_TEST_SUITE_P(AllFormats, MalformedInput, ::testing::ValuesIn(BadInputs()),
                         [](const ::testing::TestParamInfo<BadInput>& info) { return std::string(info.param.name); });

TEST(Translator, ProfileRejectionIsReportedNotEmitted) {
  // A 2-digit HCPC number passes every transform but breaks WorkWell-Practitioner (ww-prac-4).
  const std::string bad = Replace(Example("fit-note-may-be-fit-physio.json"), "\"PH104387\"", "\"12\"");
  const TranslateResult r = SharedTranslator().Translate("fitnote-json", bad, Fixed());
  ASSERT_FALSE(r.ok);
  EXPECT_TRUE(r.bundle.empty());
  const fhir::Issue& e = FirstError(r);
  EXPECT_EQ(e.code, "invariant");
  EXPECT_EQ(e.expression, "Bundle.entry[2].resource");
  EXPECT_NE(e.text.find("ww-prac-4"), std::string::npos);
}

TEST(Translator, BulkKeepsOrderAndCounts) {
  const Mapping* m = SharedTranslator().FindMapping("fitnote-csv");
  ASSERT_NE(m, nullptr);
  std::istringstream in(Example("fit-notes-extract.csv"));
  std::vector<std::string> ids;
  const BulkSummary s = SharedTranslator().TranslateCsvBulk(*m, in, Fixed(), 2, [&](size_t i, const TranslateResult& r) {
    EXPECT_EQ(i, ids.size());
    ids.push_back(r.record_id);
  });
  EXPECT_EQ(s.accepted, 10u);
  EXPECT_EQ(s.rejected, 0u);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(ids.front(), "FN-2026-0005001");
  std::istringstream bad(Example("invalid/fit-notes-wrong-field-count.csv"));
  const BulkSummary s2 = SharedTranslator().TranslateCsvBulk(*m, bad, Fixed(), 2, {});
  EXPECT_GE(s2.rejected, 1u);
  EXPECT_FALSE(s2.reasons.empty());
}

TEST(TranslateHttp, FormatFromContentTypeOrParameter) {
  const Translator& t = SharedTranslator();
  EXPECT_EQ(FormatForRequest("text/csv; charset=utf-8", ""), "fitnote-csv");
  EXPECT_EQ(FormatForRequest("x-application/hl7-v2+er7", ""), "ref-i12");
  EXPECT_EQ(FormatForRequest("application/fhir+json", ""), "fhir");
  EXPECT_EQ(FormatForRequest("application/json", "referral-json"), "referral-json");
  EXPECT_EQ(TranslateHttp(t, "application/json", "", "{}").status, 415);
  EXPECT_EQ(TranslateHttp(t, "application/json", "nope", "{}").status, 400);
  const HttpAnswer ok = TranslateHttp(t, "application/json", "fitnote-json", Example("fit-note-not-fit.json"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "application/fhir+json");
  EXPECT_NE(ok.body.find("\"resourceType\":\"Bundle\""), std::string::npos);
  const HttpAnswer hl7 = TranslateHttp(t, "x-application/hl7-v2+er7", "", Example("ref-i12-hospital-discharge.hl7"));
  EXPECT_EQ(hl7.status, 200);
  const HttpAnswer bad = TranslateHttp(t, "application/json", "fitnote-json", "{");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("OperationOutcome"), std::string::npos);
  const HttpAnswer csv = TranslateHttp(t, "text/csv", "", Example("fit-notes-extract.csv"));
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "application/fhir+ndjson");
}

}  // namespace
}  // namespace workwell::mapping

// Every record in examples/records parses (and passes the REF^I12 profile); every record in
// examples/records/invalid fails where its manifest entry says. Also checks that each NHS number
// in the examples passes the Modulus 11 check, so no invalid number is ever shipped as valid.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/mapping/sources/csv.h"
#include "adapter/mapping/sources/hl7v2.h"
#include "adapter/mapping/sources/json_record.h"
#include "adapter/mapping/sources/ref_i12.h"

namespace workwell::mapping {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(WORKWELL_SOURCE_DIR) / "examples" / "records";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> Files(const fs::path& dir, std::string_view extension) {
  std::vector<fs::path> out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == extension) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool ValidNhsNumber(std::string_view n) {
  if (n.size() != 10) return false;
  int sum = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (n[i] < '0' || n[i] > '9') return false;
    if (i < 9) sum += (n[i] - '0') * static_cast<int>(10 - i);
  }
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  return check != 10 && check == n[9] - '0';
}

TEST(ExamplesTest, ValidJsonRecordsParseCleanly) {
  std::vector<fs::path> files = Files(kExamples, ".json");
  ASSERT_GE(files.size(), 5u);
  for (const fs::path& file : files) {
    std::vector<SourceIssue> issues;
    common::Result<JsonRecord> r = JsonRecord::Parse(ReadFile(file), json::Limits{}, issues);
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    EXPECT_TRUE(issues.empty()) << file << ": " << issues[0].ToString();
    std::optional<SourceField> nhs = r->Get("/patient/nhsNumber");
    ASSERT_TRUE(nhs) << file;
    EXPECT_TRUE(ValidNhsNumber(nhs->value.text)) << file << ": " << nhs->value.text;
    EXPECT_TRUE(r->Get("/sourceSystem") && r->Get("/sourceRecordId")) << file;
  }
}

TEST(ExamplesTest, ValidHl7MessagesParseAndPassTheProfile) {
  std::vector<fs::path> files = Files(kExamples, ".hl7");
  ASSERT_GE(files.size(), 2u);
  for (const fs::path& file : files) {
    std::vector<SourceIssue> issues;
    common::Result<Hl7Message> r = ParseHl7v2(ReadFile(file), Hl7Limits{}, issues);
    ASSERT_TRUE(r.ok()) << file << ": " << r.status().ToString();
    EXPECT_TRUE(CheckRefI12(*r, issues)) << file;
    for (const SourceIssue& i : issues) {
      EXPECT_NE(i.severity, SourceIssue::Severity::kError) << file << ": " << i.ToString();
    }
    std::optional<SourceField> nhs = r->Get("PID-3.1");
    ASSERT_TRUE(nhs) << file;
    EXPECT_EQ(r->Text("PID-3.5"), "NH") << file;
    EXPECT_TRUE(ValidNhsNumber(nhs->value.text)) << file;
  }
}

TEST(ExamplesTest, EscapesAndRepetitionsExampleReadsAsDocumented) {
  std::vector<SourceIssue> issues;
  common::Result<Hl7Message> r =
      ParseHl7v2(ReadFile(kExamples / "ref-i12-escapes-repetitions.hl7"), Hl7Limits{}, issues);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Text("PID-5.2"), "Ros\xC3\xA1in");
  EXPECT_EQ(r->Count("PID-3"), 3u);
  EXPECT_TRUE(r->Get("PID-3[3].1")->value.IsNull());
  EXPECT_EQ(r->Text("PID-11.1.2"), "Castle View");
  EXPECT_EQ(r->Count("PRD"), 3u);
  EXPECT_EQ(r->Text("PRD[3]-7[2].1"), "P81354");
  EXPECT_EQ(r->Text("RF1-10.2"), "Low mood after redundancy & bereavement; asks for help back to work");
  EXPECT_EQ(r->Text("DG1[2]-3.2"), "Sleep disturbance (reported)");
  EXPECT_EQ(r->Text("NTE-3"),
            "Functional effects:\n- struggles to concentrate for more than an hour\n- avoids phone calls.");
  EXPECT_EQ(r->Text("NTE[2]-3"), "Delimiters kept as text: pipe | caret ^ ampersand & tilde ~ backslash \\ hash # end");
  EXPECT_EQ(r->Text("NTE[3]-3"), "The sender cut this note short at its field limit");
  EXPECT_EQ(r->Text("ZXT-1.3"), "as is");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].ToString(), "NTE[3]-3: value was truncated by the sender");
}

TEST(ExamplesTest, CsvExtractReadsEveryRow) {
  std::vector<fs::path> files = Files(kExamples, ".csv");
  ASSERT_GE(files.size(), 1u);
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    CsvReader reader(in);
    int rows = 0;
    while (true) {
      CsvReader::Step step = reader.Next();
      if (step == CsvReader::Step::kEnd) break;
      ASSERT_EQ(step, CsvReader::Step::kRecord) << file << ": " << reader.error().ToString();
      std::optional<SourceField> nhs = reader.record().Get("nhs_number");
      ASSERT_TRUE(nhs) << file;
      EXPECT_TRUE(ValidNhsNumber(nhs->value.text)) << file << " " << nhs->location.ToString();
      ++rows;
    }
    EXPECT_GE(rows, 10) << file;
  }
}

// What a record in invalid/ produced: "<stage> <location>: <message>".
std::string Outcome(const fs::path& file) {
  const std::string text = ReadFile(file);
  std::vector<SourceIssue> issues;
  const std::string ext = file.extension().string();
  if (ext == ".json") {
    common::Result<JsonRecord> r = JsonRecord::Parse(text, json::Limits{}, issues);
    if (!r.ok()) return "parse " + issues.back().ToString();
    return "ok";
  }
  if (ext == ".hl7") {
    common::Result<Hl7Message> r = ParseHl7v2(text, Hl7Limits{}, issues);
    if (!r.ok()) return "parse " + issues.back().ToString();
    issues.clear();
    if (!CheckRefI12(*r, issues)) {
      for (const SourceIssue& i : issues) {
        if (i.severity == SourceIssue::Severity::kError) return "profile " + i.ToString();
      }
    }
    return "ok";
  }
  CsvReader reader(text);
  while (true) {
    CsvReader::Step step = reader.Next();
    if (step == CsvReader::Step::kEnd) return "ok";
    if (step == CsvReader::Step::kError) return "parse " + reader.error().ToString();
  }
}

TEST(ExamplesTest, InvalidRecordsFailWhereTheManifestSays) {
  json::Document manifest;
  json::ParseError error;
  ASSERT_TRUE(json::Parse(ReadFile(kExamples / "invalid" / "manifest.json"), json::Limits{}, manifest, error))
      << error.message;
  std::set<std::string> listed;
  for (const json::Value& entry : manifest.root().items()) {
    const std::string file(entry.Find("file")->text());
    listed.insert(file);
    const std::string expected = std::string(entry.Find("stage")->text()) + " " +
                                 std::string(entry.Find("location")->text()) + ": " +
                                 std::string(entry.Find("message")->text());
    EXPECT_EQ(Outcome(kExamples / "invalid" / file), expected) << file;
  }
  for (const std::string_view ext : {".json", ".hl7", ".csv"}) {
    for (const fs::path& file : Files(kExamples / "invalid", ext)) {
      if (file.filename() == "manifest.json") continue;
      EXPECT_TRUE(listed.count(file.filename().string())) << file << " has no manifest entry";
    }
  }
}

}  // namespace
}  // namespace workwell::mapping

// Runs every QuestionnaireResponse case of the shared conformance sample (module
// "questionnaire") through the JSON core plus this library and compares the verdict with the
// reference validator's. Cases whose errors come only from other layers (profiles, unknown
// extensions) are reported, and the agreement must stay at or above 90%.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapter/fhir/json_format.h"
#include "adapter/validation/questionnaire/questionnaire_validator.h"
#include "adapter/validation/questionnaire/value_checks.h"
#include "tests/unit/fhir/model_fixture.h"

namespace workwell::validation::questionnaire {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string_view Str(const json::Value* v) { return v != nullptr ? v->text() : std::string_view(); }

// Conformance resources by canonical URL (and url|version), with the documents that own them.
class Registry {
 public:
  // Adds a resource document; Bundles contribute each entry's resource.
  void Add(json::Document doc) {
    docs_.push_back(std::make_unique<json::Document>(std::move(doc)));
    const json::Value& root = docs_.back()->root();
    if (Str(root.Find("resourceType")) == "Bundle") {
      if (const json::Value* entries = root.Find("entry")) {
        for (const json::Value& e : entries->items()) {
          if (const json::Value* r = e.Find("resource")) Index(*r);
        }
      }
    } else {
      Index(root);
    }
  }
  const json::Value* Find(std::string_view canonical) const {
    auto it = by_url_.find(std::string(canonical));
    return it != by_url_.end() ? it->second : nullptr;
  }

 private:
  void Index(const json::Value& r) {
    std::string url(Str(r.Find("url")));
    if (url.empty()) return;
    by_url_.try_emplace(url, &r);
    if (std::string_view version = Str(r.Find("version")); !version.empty()) {
      by_url_.try_emplace(url + "|" + std::string(version), &r);
    }
  }
  std::vector<std::unique_ptr<json::Document>> docs_;
  std::map<std::string, const json::Value*> by_url_;
};

bool ParseJson(const std::string& text, json::Document& doc) {
  json::ParseError error;
  return json::Parse(text, json::Limits{}, doc, error);
}

class QuestionnaireConformanceTest : public fhir::ModelFixture {};

TEST_F(QuestionnaireConformanceTest, AgreesWithReferenceValidator) {
  fs::path root = fs::path(SharedDir()) / "conformance" / "fhir-test-cases-r4";
  if (!fs::exists(root / "cases.json")) {
    GTEST_SKIP() << "conformance sample not found at " << root << " (set WORKWELL_SHARED_DIR)";
  }
  json::Document cases;
  ASSERT_TRUE(ParseJson(ReadFile(root / "cases.json"), cases));

  Registry core;
  json::Document core_value_sets;
  if (ParseJson(ReadFile(fs::path(fhir::Model::DefaultDirectory()) / "valuesets.json"), core_value_sets)) {
    core.Add(std::move(core_value_sets));
  }
  fhir::JsonFormat format(model());

  int total = 0;
  int agree = 0;
  std::string report;
  for (const json::Value& c : cases.root().items()) {
    if (Str(c.Find("module")) != "questionnaire") continue;
    std::string instance_text = ReadFile(root / std::string(Str(c.Find("file"))));
    json::Document instance;
    if (!ParseJson(instance_text, instance)) continue;
    if (Str(instance.root().Find("resourceType")) != "QuestionnaireResponse") continue;

    Registry supporting;
    if (const json::Value* files = c.Find("supporting")) {
      for (const json::Value& f : files->items()) {
        json::Document doc;
        if (ParseJson(ReadFile(root / std::string(f.text())), doc)) supporting.Add(std::move(doc));
      }
    }
    Hooks hooks;
    hooks.model = model().get();
    hooks.resolve_canonical = [&](std::string_view canonical) -> const json::Value* {
      const json::Value* r = supporting.Find(canonical);
      return r != nullptr ? r : core.Find(canonical);
    };
    hooks.code_in_value_set = [&](std::string_view url, std::string_view system,
                                  std::string_view code) -> std::optional<bool> {
      const json::Value* vs = hooks.resolve_canonical(url);
      if (vs == nullptr || Str(vs->Find("resourceType")) != "ValueSet") return std::nullopt;
      return EnumeratedValueSetContains(*vs, system, code);
    };

    fhir::IssueSink core_sink;
    fhir::Resource parsed;
    format.Parse(instance_text, fhir::ParseOptions{}, parsed, core_sink);
    fhir::IssueSink sink;
    ValidateResponse(instance.root(), hooks, "QuestionnaireResponse", sink);

    bool expected_valid = c.Find("expected_valid") != nullptr && c.Find("expected_valid")->AsBool();
    bool ours_valid = !sink.HasErrors();
    bool combined_valid = ours_valid && !core_sink.HasErrors();
    ++total;
    size_t our_errors = 0;
    for (const fhir::Issue& i : sink.issues()) {
      if (i.severity == fhir::Severity::kError || i.severity == fhir::Severity::kFatal) ++our_errors;
    }
    const json::Value* expected_errors = c.Find("expected_errors");
    if (expected_errors != nullptr && std::to_string(our_errors) != expected_errors->text()) {
      report += "  note " + std::string(Str(c.Find("name"))) + ": " + std::to_string(our_errors) +
                " errors here, reference reported " + std::string(expected_errors->text()) + " in all\n";
    }
    if (combined_valid == expected_valid) {
      ++agree;
      if (ours_valid != expected_valid) {
        report += "  agree via JSON core: " + std::string(Str(c.Find("name"))) + "\n";
      }
      continue;
    }
    report += "  DISAGREE " + std::string(Str(c.Find("name"))) + ": expected " +
              (expected_valid ? "valid" : "invalid") + ", got " + (combined_valid ? "valid" : "invalid") + "\n";
    for (const fhir::Issue& i : sink.issues()) {
      report += "    ours " + std::string(fhir::SeverityCode(i.severity)) + " " + i.expression + ": " + i.text + "\n";
    }
    for (const fhir::Issue& i : core_sink.issues()) {
      report += "    core " + std::string(fhir::SeverityCode(i.severity)) + " " + i.expression + ": " + i.text + "\n";
    }
  }
  ASSERT_GT(total, 0);
  std::cout << "QuestionnaireResponse cases: " << agree << "/" << total << " agree (" << (100.0 * agree / total)
            << "%)\n"
            << report;
  EXPECT_GE(agree * 10, total * 9) << report;
}

}  // namespace
}  // namespace workwell::validation::questionnaire

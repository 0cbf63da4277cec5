// Data-driven checks against the official R4 definitions and examples:
// (a) every constraint expression in profiles-resources.json and profiles-types.json compiles;
// (b) every constraint holds on every official example it applies to.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapter/fhir/fhirpath/evaluator.h"
#include "adapter/fhir/fhirpath/expression.h"
#include "adapter/fhir/fhirpath/json_node.h"
#include "tests/unit/fhir/fhirpath/test_support.h"

namespace workwell::fhir::fhirpath {
namespace {

using testing::FhirDir;
using testing::R4Model;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Where the official examples themselves break an invariant. Each was checked by hand.
struct KnownException {
  const char* file;
  const char* key;
  const char* reason;
};

constexpr KnownException kKnownExceptions[] = {
    // The pattern logical models of the R4 build have abstract = false and no baseDefinition.
    {"StructureDefinition-Definition.json", "sdf-4", "logical pattern model: not abstract, no baseDefinition"},
    {"StructureDefinition-Event.json", "sdf-4", "logical pattern model: not abstract, no baseDefinition"},
    {"StructureDefinition-FiveWs.json", "sdf-4", "logical pattern model: not abstract, no baseDefinition"},
    {"StructureDefinition-Request.json", "sdf-4", "logical pattern model: not abstract, no baseDefinition"},
    // The data-element collection repeats entries such as de-Quantity.value (once per Quantity
    // profile) with the same fullUrl and no versionId.
    {"Bundle-dataelements.json", "bdl-7", "duplicate fullUrl values (de-Quantity.* repeated)"},
};

bool IsKnownException(const std::string& file, const std::string& key) {
  for (const KnownException& e : kKnownExceptions) {
    if (file == e.file && key == e.key) return true;
  }
  return false;
}

TEST(R4InvariantsTest, EveryConstraintExpressionCompiles) {
  if (FhirDir().empty()) GTEST_SKIP() << "WORKWELL_FHIR_DIR is not set: R4 definitions unavailable";
  size_t total = 0;
  std::set<std::string> distinct;
  for (const char* file : {"profiles-resources.json", "profiles-types.json"}) {
    std::string text = ReadFile(FhirDir() + "/r4/" + file);
    ASSERT_FALSE(text.empty()) << file;
    json::Document doc;
    json::ParseError error;
    json::Limits limits;
    limits.max_bytes = 512u << 20;
    limits.max_array_items = 1000000;
    ASSERT_TRUE(json::Parse(text, limits, doc, error)) << error.message;
    for (const json::Value& entry : doc.root().Find("entry")->items()) {
      const json::Value* sd = entry.Find("resource");
      if (sd->Find("resourceType")->text() != "StructureDefinition") continue;
      for (const char* part : {"snapshot", "differential"}) {
        const json::Value* holder = sd->Find(part);
        if (holder == nullptr) continue;
        for (const json::Value& element : holder->Find("element")->items()) {
          const json::Value* constraints = element.Find("constraint");
          if (constraints == nullptr) continue;
          for (const json::Value& c : constraints->items()) {
            const json::Value* expr = c.Find("expression");
            if (expr == nullptr) continue;
            ++total;
            std::string e(expr->text());
            if (!distinct.insert(e).second) continue;
            auto compiled = Compile(e);
            EXPECT_TRUE(compiled.ok()) << c.Find("key")->text() << ": " << e << "\n"
                                       << compiled.status().ToString();
          }
        }
      }
    }
  }
  std::cout << "[ R4       ] " << total << " constraint expressions (" << distinct.size()
            << " distinct) compiled\n";
  RecordProperty("constraints", static_cast<int>(total));
  RecordProperty("distinct_expressions", static_cast<int>(distinct.size()));
  EXPECT_GT(total, 9000u);
  EXPECT_GT(distinct.size(), 190u);
}

// The invariants that apply to a node: those of its element definition, of its type's root
// (Period's per-1, a resource's dom-*) and of any constraining type profile (SimpleQuantity).
std::vector<const ConstraintDef*> ConstraintsFor(const JsonModel& model, const JsonNode& node) {
  std::vector<const ConstraintDef*> out;
  std::set<std::string> seen;
  auto add = [&](const ElementDef* def) {
    if (def == nullptr) return;
    for (const ConstraintDef& c : def->constraints) {
      if (c.expression.empty()) continue;
      if (seen.insert(c.key + "|" + c.expression).second) out.push_back(&c);
    }
  };
  add(node.definition());
  if (node.is_resource() || (node.definition() != nullptr && !node.definition()->backbone &&
                             node.definition()->content_reference.empty())) {
    add(model.FindElement(node.type_name()));
  }
  if (node.definition() != nullptr) {
    for (const std::string& p : node.definition()->type_profiles) add(model.FindProfileRoot(p));
  }
  return out;
}

TEST(R4InvariantsTest, OfficialExamplesSatisfyEveryInvariant) {
  WW_REQUIRE_R4_MODEL();
  const JsonModel& model = *R4Model();
  std::filesystem::path dir = std::filesystem::path(FhirDir()) / "examples";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no R4 examples under " << dir;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  std::map<std::string, Expression> compiled;
  size_t examples = 0, evaluations = 0, warnings_false = 0, known = 0, empty_results = 0;
  std::map<std::string, size_t> warning_keys, empty_keys;
  std::vector<std::string> failures;
  json::Limits limits;
  limits.max_bytes = 64u << 20;
  for (const auto& path : files) {
    std::string text = ReadFile(path.string());
    json::Document doc;
    json::ParseError error;
    if (!json::Parse(text, limits, doc, error)) {
      failures.push_back(path.filename().string() + ": JSON " + error.message);
      continue;
    }
    if (doc.root().Find("resourceType") == nullptr) continue;  // package.json and other non-resources
    auto tree = JsonTree::Build(doc.root(), model);
    if (!tree.ok()) {
      failures.push_back(path.filename().string() + ": " + tree.status().ToString());
      continue;
    }
    ++examples;
    std::string file = path.filename().string();
    for (const std::string& u : tree.value()->unknown_elements()) failures.push_back(file + ": unknown element " + u);
    for (const JsonNode& node : tree.value()->nodes()) {
      for (const ConstraintDef* c : ConstraintsFor(model, node)) {
        auto it = compiled.find(c->expression);
        if (it == compiled.end()) {
          auto e = Compile(c->expression);
          ASSERT_TRUE(e.ok()) << e.status().ToString();
          it = compiled.emplace(c->expression, std::move(e.value())).first;
        }
        EvalEnv env;
        env.types = &model;
        env.resource = node.resource();
        env.root_resource = node.root_resource();
        ++evaluations;
        auto r = EvaluateBoolean(it->second, node, env);
        if (!r.ok()) {
          failures.push_back(file + " " + node.location() + " " + c->key + ": " + r.status().ToString());
          continue;
        }
        if (!r.value()) {
          ++empty_results;
          ++empty_keys[c->key];
        }
        if (r.value().value_or(true)) continue;
        if (c->severity != "error") {
          ++warnings_false;
          ++warning_keys[c->key];
          continue;
        }
        if (IsKnownException(file, c->key)) {
          ++known;
          continue;
        }
        failures.push_back(file + " " + node.location() + " " + c->key + " is false: " + c->expression);
      }
    }
  }
  std::cout << "[ R4       ] " << examples << " examples, " << evaluations << " invariant evaluations, "
            << empty_results << " empty results, " << known << " known exceptions, " << warnings_false
            << " warning-level invariants not met\n";
  for (const auto& [key, n] : warning_keys) std::cout << "[ R4       ]   warning " << key << ": " << n << "\n";
  for (const auto& [key, n] : empty_keys) std::cout << "[ R4       ]   empty " << key << ": " << n << "\n";
  for (size_t i = 0; i < failures.size() && i < 200; ++i) ADD_FAILURE() << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures";
  EXPECT_GT(examples, 5000u);
}

}  // namespace
}  // namespace workwell::fhir::fhirpath

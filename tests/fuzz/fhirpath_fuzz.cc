// libFuzzer entry point for FHIRPath: the input is an expression; it is compiled and, when it
// compiles, evaluated against a small fixed Patient (with a contained Observation) typed by the
// R4 model, with a fixed clock and a small collection limit. "Never crash, never hang" is the
// property; the checks are that a compile error is InvalidArgument (or ResourceExhausted for a limit) and that
// evaluation is deterministic (two runs give the same status and result size).
// https://hl7.org/fhirpath/N1/ and https://hl7.org/fhir/R4/fhirpath.html

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "adapter/common/check.h"
#include "adapter/common/json/json.h"
#include "adapter/fhir/fhirpath/evaluator.h"
#include "adapter/fhir/fhirpath/expression.h"
#include "adapter/fhir/fhirpath/json_node.h"
#include "adapter/fhir/model.h"

namespace {

namespace fp = workwell::fhir::fhirpath;

constexpr std::string_view kPatient = R"({
  "resourceType": "Patient",
  "id": "p1",
  "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},
  "contained": [{
    "resourceType": "Observation", "id": "o1", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8302-2"}]},
    "valueQuantity": {"value": 1.50, "unit": "m", "system": "http://unitsofmeasure.org", "code": "m"}
  }],
  "extension": [{"url": "http://example.org/ext", "valueString": "x"}],
  "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9000000009"}],
  "active": true,
  "name": [{"use": "official", "family": "Smith", "given": ["Anne", "B"]},
           {"text": "Annie"}],
  "telecom": [{"system": "phone", "value": "0123"}],
  "gender": "female",
  "birthDate": "1980-02-29",
  "_birthDate": {"extension": [{"url": "http://example.org/t", "valueTime": "10:00:00"}]},
  "multipleBirthInteger": 2,
  "generalPractitioner": [{"reference": "#o1"}],
  "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>A</p></div>"}
})";

struct Fixture {
  std::unique_ptr<fp::JsonModel> model;
  workwell::json::Document doc;
  std::unique_ptr<fp::JsonTree> tree;
  fp::EvalEnv env;
};

const Fixture& Shared() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    auto model = fp::JsonModel::Load(workwell::fhir::Model::DefaultDirectory());
    if (!model.ok()) {
      std::fprintf(stderr, "cannot load the R4 model (set WORKWELL_FHIR_DIR): %s\n",
                   model.status().ToString().c_str());
      std::abort();
    }
    f->model = std::move(model).value();
    workwell::json::ParseError error;
    WW_CHECK(workwell::json::Parse(kPatient, workwell::json::Limits{}, f->doc, error));
    auto tree = fp::JsonTree::Build(f->doc.root(), *f->model);
    WW_CHECK(tree.ok());
    f->tree = std::move(tree).value();
    f->env.types = f->model.get();
    f->env.max_collection_size = 10000;
    fp::Temporal now;
    now.kind = workwell::fhir::fhirpath::PrimitiveKind::kDateTime;
    now.precision = fp::Temporal::Precision::kMillisecond;
    now.year = 2026;
    now.month = 1;
    now.day = 2;
    now.has_timezone = true;
    f->env.now = now;
    f->env.constants["fuzz"] = "value";
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > 4096) return 0;  // expressions in profiles are short; long ones only slow the search
  const Fixture& f = Shared();
  auto expr = fp::Compile(text);
  if (!expr.ok()) {
    const workwell::common::StatusCode code = expr.status().code();
    WW_CHECK(code == workwell::common::StatusCode::kInvalidArgument ||
             code == workwell::common::StatusCode::kResourceExhausted);
    return 0;
  }
  (void)expr->DebugString();
  auto first = fp::Evaluate(*expr, f.tree->root(), f.env);
  auto second = fp::Evaluate(*expr, f.tree->root(), f.env);
  WW_CHECK(first.ok() == second.ok());
  if (first.ok()) WW_CHECK(first->size() == second->size());
  (void)fp::EvaluateBoolean(*expr, f.tree->root(), f.env);
  return 0;
}

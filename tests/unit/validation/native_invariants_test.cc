#include "adapter/validation/native_invariants.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapter/fhir/fhirpath/evaluator.h"
#include "adapter/fhir/json_format.h"
#include "tests/unit/fhir/model_fixture.h"

namespace workwell::validation {
namespace {

using NativeInvariantsTest = fhir::ModelFixture;

Constraint Make(std::string key, std::string expression) {
  Constraint c;
  c.key = std::move(key);
  c.expression = std::move(expression);
  auto compiled = fhir::fhirpath::Compile(c.expression);
  EXPECT_TRUE(compiled.ok()) << c.expression;
  c.compiled = std::make_shared<const fhir::fhirpath::Expression>(std::move(compiled).value());
  return c;
}

void Walk(const InstanceNode& node, const std::function<void(const InstanceNode&)>& visit) {
  visit(node);
  for (const InstanceNode* c : node.children()) Walk(*c, visit);
}

// Every native answer equals FHIRPath's on every node of a large sample of the R4 examples.
TEST_F(NativeInvariantsTest, AgreeWithFhirPathOnTheOfficialExamples) {
  const std::vector<Constraint> constraints = {
      Make("ele-1", "hasValue() or (children().count() > id.count())"),
      Make("ext-1", "extension.exists() != value.exists()"),
      Make("dom-2", "contained.contained.empty()"),
      Make("dom-4", "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()"),
      Make("dom-5", "contained.meta.security.empty()"),
      Make("dom-6", "text.`div`.exists()"),
      Make("ref-1",
           "reference.startsWith('#').not() or (reference.substring(1).trace('url') in "
           "%rootResource.contained.id.trace('ids'))"),
      Make("bdl-5", "resource.exists() or request.exists() or response.exists()"),
      Make("bdl-8", "fullUrl.exists() implies fullUrl.contains('/_history/').not()"),
      Make("bdl-3",
           "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or "
           "%resource.type = 'history'))"),
      Make("bdl-4",
           "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = "
           "'transaction-response' or %resource.type = 'history'))"),
      Make("bdl-7",
           "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()"),
      Make("bdl-1", "total.empty() or (type = 'searchset') or (type = 'history')"),
      Make("bdl-2", "entry.search.empty() or (type = 'searchset')"),
      Make("bdl-9", "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"),
      Make("bdl-10", "type = 'document' implies (timestamp.hasValue())"),
      Make("bdl-11", "type = 'document' implies entry.first().resource.is(Composition)"),
      Make("bdl-12", "type = 'message' implies entry.first().resource.is(MessageHeader)"),
      Make("obs-6", "dataAbsentReason.empty() or value.empty()"),
      Make("obs-7", "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()"),
      Make("org-1", "(identifier.count() + name.count()) > 0"),
      Make("org-2", "where(use = 'home').empty()"),
      Make("prr-1", "orderDetail.empty() or code.exists()"),
      Make("con-3",
           "clinicalStatus.exists() or verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/"
           "condition-ver-status' and code = 'entered-in-error').exists() or "
           "category.select($this='problem-list-item').empty()"),
      Make("con-4",
           "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/"
           "condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()"),
      Make("con-5",
           "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and "
           "code='entered-in-error').empty() or clinicalStatus.empty()"),
  };
  fhir::JsonFormat format(model());
  ModelTypeOracle oracle(*model());
  size_t files = 0, compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FhirDir() + "/examples")) {
    if (entry.path().extension() != ".json" || entry.file_size() > 200000) continue;
    if (++files > 1500) break;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    fhir::Resource r;
    fhir::IssueSink sink;
    if (!format.Parse(ss.str(), {}, r, sink)) continue;
    InstanceTree tree(*model(), r.root());
    fhir::fhirpath::EvalEnv env;
    env.types = &oracle;
    env.root_resource = tree.root();
    Walk(*tree.root(), [&](const InstanceNode& node) {
      for (const Constraint& c : constraints) {
        // Each applies where its definition puts it: dom-* on resources, ext-1 on extensions.
        if (c.key.rfind("dom-", 0) == 0 && !node.is_resource()) continue;
        if (c.key == "ext-1" && node.type_name() != "Extension") continue;
        std::optional<bool> native = NativeInvariant(c, node);
        if (!native.has_value()) continue;
        env.resource = node.resource();
        auto viaPath = fhir::fhirpath::EvaluateBoolean(*c.compiled, node, env);
        ASSERT_TRUE(viaPath.ok()) << entry.path() << " " << c.key;
        ASSERT_EQ(viaPath.value().value_or(true), *native) << entry.path() << " " << node.path() << " " << c.key;
        ++compared;
      }
    });
  }
  EXPECT_GT(compared, 100000u);
}

}  // namespace
}  // namespace workwell::validation

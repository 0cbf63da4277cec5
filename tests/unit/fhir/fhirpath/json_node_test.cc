#include "adapter/fhir/fhirpath/json_node.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapter/fhir/fhirpath/evaluator.h"
#include "tests/unit/fhir/fhirpath/test_support.h"

namespace workwell::fhir::fhirpath {
namespace {

using testing::R4Model;

constexpr std::string_view kPatient = R"({
  "resourceType": "Patient",
  "id": "p1",
  "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Jo</p></div>"},
  "contained": [{"resourceType": "Organization", "id": "org1", "name": "Acme"}],
  "extension": [{"url": "http://example.org/ext", "valueString": "x"}],
  "name": [{"use": "official", "family": "Smith", "given": ["Jo", null, "Ann"],
            "_given": [null, {"extension": [{"url": "http://example.org/absent", "valueCode": "masked"}]}, null]},
           {"use": "nickname", "given": ["JJ"]}],
  "birthDate": "1970-03",
  "_birthDate": {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/patient-birthTime",
                                "valueDateTime": "1970-03-30T14:35:45-05:00"}]},
  "deceasedBoolean": false,
  "multipleBirthInteger": 2,
  "managingOrganization": {"reference": "#org1"},
  "contact": [{"name": {"family": "Doe"}, "period": {"start": "2010", "end": "2012-05-01"}}]
})";

constexpr std::string_view kObservation = R"({
  "resourceType": "Observation",
  "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
  "valueQuantity": {"value": 72.50, "unit": "beats/min", "system": "http://unitsofmeasure.org", "code": "/min"},
  "referenceRange": [{"low": {"value": 60, "code": "/min"}, "high": {"value": 100, "code": "/min"}}],
  "component": [{"code": {"text": "a"}, "valueString": "s"}, {"code": {"text": "b"}, "valueInteger": 5}]
})";

class JsonNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (R4Model() == nullptr) GTEST_SKIP() << "WORKWELL_FHIR_DIR is not set: R4 definitions unavailable";
  }

  const JsonNode& Load(std::string_view text) {
    json::ParseError error;
    EXPECT_TRUE(json::Parse(text, json::Limits{}, doc_, error)) << error.message;
    auto tree = JsonTree::Build(doc_.root(), *R4Model());
    EXPECT_TRUE(tree.ok()) << tree.status().ToString();
    tree_ = std::move(tree.value());
    EXPECT_TRUE(tree_->unknown_elements().empty()) << tree_->unknown_elements()[0];
    return tree_->root();
  }

  // Each criterion ({t} marking where an item-relative path starts) inside `collection`.where(),
  // .exists() and .all(), evaluated as written (the fast path) and with {t} as `$this.` (the
  // general path): the answers must agree. Returns how many pairs were compared.
  int CompareWithGeneralPath(const Node& context, const std::string& collection,
                             const std::vector<std::string>& criteria) {
    int compared = 0;
    for (const std::string& c : criteria) {
      auto with = [&](const std::string& target) {
        std::string out = c;
        for (size_t at = out.find("{t}"); at != std::string::npos; at = out.find("{t}")) out.replace(at, 3, target);
        return out;
      };
      for (const std::string& form : {collection + ".where(%s).id", collection + ".exists(%s)", collection + ".all(%s)"}) {
        std::string simple = form, general = form;
        simple.replace(simple.find("%s"), 2, with(""));
        general.replace(general.find("%s"), 2, with("$this."));
        EXPECT_EQ(Eval(context, simple), Eval(context, general)) << simple;
        ++compared;
      }
    }
    return compared;
  }

  std::string Eval(const Node& context, std::string_view text) {
    auto e = Compile(text);
    if (!e.ok()) return "compile error: " + e.status().message();
    EvalEnv env = env_;
    env.types = R4Model();
    auto r = Evaluate(*e, context, env);
    if (!r.ok()) return "error: " + r.status().message();
    std::string s = "[";
    for (size_t i = 0; i < r->size(); ++i) {
      if (i > 0) s += ", ";
      const Value& v = (*r)[i];
      if (v.is_node()) {
        s += v.node()->primitive_kind() != PrimitiveKind::kNone ? std::string(v.node()->primitive_text())
                                                                 : "<" + std::string(v.node()->type_name()) + ">";
      } else {
        s += ToText(v);
      }
    }
    return s + "]";
  }

  json::Document doc_;
  std::unique_ptr<JsonTree> tree_;
  EvalEnv env_;
};

TEST_F(JsonNodeTest, NavigatesPathsAndTypes) {
  const JsonNode& p = Load(kPatient);
  EXPECT_EQ(p.type_name(), "Patient");
  EXPECT_TRUE(p.is_resource());
  EXPECT_EQ(Eval(p, "Patient.name.given"), "[Jo, , Ann, JJ]");
  EXPECT_EQ(Eval(p, "name.given"), "[Jo, , Ann, JJ]");
  EXPECT_EQ(Eval(p, "name.where(use = 'official').family"), "[Smith]");
  EXPECT_EQ(Eval(p, "name[1].given.first()"), "[JJ]");
  EXPECT_EQ(Eval(p, "name.first()"), "[<HumanName>]");
  EXPECT_EQ(Eval(p, "contact.first()"), "[<Patient.contact>]");
  EXPECT_EQ(Eval(p, "Observation.name"), "[]");
  EXPECT_EQ(Eval(p, "Resource.id"), "[p1]");
  EXPECT_EQ(Eval(p, "DomainResource.id"), "[p1]");
  EXPECT_EQ(Eval(p, "text.`div`.exists()"), "[true]");
}

TEST_F(JsonNodeTest, PrimitivesCarryValuesAndExtensions) {
  const JsonNode& p = Load(kPatient);
  EXPECT_EQ(Eval(p, "name.given.count()"), "[4]");
  EXPECT_EQ(Eval(p, "name.given[1].hasValue()"), "[false]");
  EXPECT_EQ(Eval(p, "name.given[0].hasValue()"), "[true]");
  EXPECT_EQ(Eval(p, "name.given[1].extension.value"), "[masked]");
  EXPECT_EQ(Eval(p, "birthDate"), "[1970-03]");
  EXPECT_EQ(Eval(p, "birthDate.getValue()"), "[1970-03]");
  EXPECT_EQ(Eval(p, "birthDate.extension('http://hl7.org/fhir/StructureDefinition/patient-birthTime').value"),
            "[1970-03-30T14:35:45-05:00]");
  EXPECT_EQ(Eval(p, "birthDate < @1971"), "[true]");
  EXPECT_EQ(Eval(p, "birthDate = @1970-03"), "[true]");
  EXPECT_EQ(Eval(p, "birthDate > @1970-03-15"), "[]");
  EXPECT_EQ(Eval(p, "multipleBirth + 1"), "[3]");
  EXPECT_EQ(Eval(p, "deceased = false"), "[true]");
  EXPECT_EQ(Eval(p, "deceased.not()"), "[true]");
  EXPECT_EQ(Eval(p, "name.given[1].children().count() > name.given[1].id.count()"), "[true]");
  EXPECT_EQ(Eval(p, "extension('http://example.org/ext').value"), "[x]");
  EXPECT_EQ(Eval(p, "extension('http://example.org/none')"), "[]");
}

TEST_F(JsonNodeTest, ChoiceElementsAndTypeTests) {
  const JsonNode& o = Load(kObservation);
  EXPECT_EQ(Eval(o, "value.value"), "[72.50]");
  EXPECT_EQ(Eval(o, "valueQuantity.unit"), "[beats/min]");
  EXPECT_EQ(Eval(o, "value is Quantity"), "[true]");
  EXPECT_EQ(Eval(o, "value is FHIR.Quantity"), "[true]");
  EXPECT_EQ(Eval(o, "value is Age"), "[false]");
  EXPECT_EQ(Eval(o, "value.ofType(Quantity).code"), "[/min]");
  EXPECT_EQ(Eval(o, "(value as Quantity).value > 70"), "[true]");
  EXPECT_EQ(Eval(o, "value.as(string)"), "[]");
  EXPECT_EQ(Eval(o, "component.value.ofType(string)"), "[s]");
  EXPECT_EQ(Eval(o, "component.value.ofType(integer)"), "[5]");
  EXPECT_EQ(Eval(o, "component.value.ofType(Integer)"), "[5]");
  EXPECT_EQ(Eval(o, "component.value.ofType(System.Integer)"), "[]");
  EXPECT_EQ(Eval(o, "component[1].value is integer"), "[true]");
  EXPECT_EQ(Eval(o, "referenceRange.low <= referenceRange.high"), "[true]");
  EXPECT_EQ(Eval(o, "value > 70 '/min'"), "[true]");
  EXPECT_EQ(Eval(o, "value.toString()"), "[72.50 '/min']");
  EXPECT_EQ(Eval(o, "value.value.toString()"), "[72.50]");
  EXPECT_EQ(Eval(o, "Observation is DomainResource"), "[true]");
  EXPECT_EQ(Eval(o, "Observation is Resource"), "[true]");
  EXPECT_EQ(Eval(o, "Observation is Patient"), "[false]");
  EXPECT_EQ(Eval(o, "code.coding.code = '8867-4'"), "[true]");
  EXPECT_EQ(Eval(o, "code.coding.system = %loinc"), "[true]");
  EXPECT_EQ(Eval(o, "children().count()"), "[6]");
  EXPECT_EQ(Eval(o, "descendants().where($this is Coding).count()"), "[1]");
  EXPECT_EQ(Eval(o, "component.code ~ component.code"), "[true]");
  EXPECT_EQ(Eval(o, "component[0].code = component[1].code"), "[false]");
  EXPECT_EQ(Eval(o, "component.code.where(coding.intersect(%resource.code.coding).exists()).empty()"), "[true]");
}

TEST_F(JsonNodeTest, ResourceVariablesAndContained) {
  const JsonNode& p = Load(kPatient);
  EXPECT_EQ(Eval(p, "%resource.id"), "[p1]");
  EXPECT_EQ(Eval(p, "%context.id"), "[p1]");
  EXPECT_EQ(Eval(p, "contained.first() is Organization"), "[true]");
  EXPECT_EQ(Eval(p, "contained.Organization.name"), "[]");
  EXPECT_EQ(Eval(p, "contained.ofType(Organization).name"), "[Acme]");
}

const JsonNode* FindByLocation(const JsonTree& tree, std::string_view location) {
  for (const JsonNode& n : tree.nodes()) {
    if (n.location() == location) return &n;
  }
  return nullptr;
}

TEST_F(JsonNodeTest, RootResourceReachesTheContainer) {
  constexpr std::string_view kRef1 =
      "reference.startsWith('#').not() or (reference.substring(1) in %rootResource.contained.id)";
  Load(R"({"resourceType": "Patient", "contained": [{"resourceType": "Practitioner", "id": "pr1",
           "qualification": [{"code": {"text": "x"}, "issuer": {"reference": "#org9"}}]},
           {"resourceType": "Organization", "id": "org9"}],
           "generalPractitioner": [{"reference": "#pr1"}, {"reference": "#missing"}]})");
  const JsonNode* issuer = FindByLocation(*tree_, "Patient.contained[0].qualification[0].issuer");
  ASSERT_NE(issuer, nullptr);
  EXPECT_EQ(issuer->resource()->type_name(), "Practitioner");
  EXPECT_EQ(issuer->root_resource()->type_name(), "Patient");
  env_.resource = issuer->resource();
  env_.root_resource = issuer->root_resource();
  EXPECT_EQ(Eval(*issuer, kRef1), "[true]");
  EXPECT_EQ(Eval(*issuer, "%resource.id"), "[pr1]");
  const JsonNode* good = FindByLocation(*tree_, "Patient.generalPractitioner[0]");
  const JsonNode* bad = FindByLocation(*tree_, "Patient.generalPractitioner[1]");
  ASSERT_NE(good, nullptr);
  ASSERT_NE(bad, nullptr);
  env_.resource = env_.root_resource = &tree_->root();
  EXPECT_EQ(Eval(*good, kRef1), "[true]");
  EXPECT_EQ(Eval(*bad, kRef1), "[false]");
}

TEST_F(JsonNodeTest, InvariantsDetectViolations) {
  Load(R"({"resourceType": "Patient", "contact": [{"period": {"start": "2012-05-02", "end": "2012-05-01"}}],
           "extension": [{"url": "http://example.org/e"}]})");
  const JsonNode* period = FindByLocation(*tree_, "Patient.contact[0].period");
  ASSERT_NE(period, nullptr);
  EXPECT_EQ(Eval(*period, "start.hasValue().not() or end.hasValue().not() or (start <= end)"), "[false]");
  const JsonNode* contact = FindByLocation(*tree_, "Patient.contact[0]");
  EXPECT_EQ(Eval(*contact, "name.exists() or telecom.exists() or address.exists() or organization.exists()"),
            "[false]");
  const JsonNode* ext = FindByLocation(*tree_, "Patient.extension[0]");
  EXPECT_EQ(Eval(*ext, "extension.exists() != value.exists()"), "[false]");
}

class MapResolver : public Resolver {
 public:
  explicit MapResolver(const Node* target) : target_(target) {}
  const Node* Resolve(std::string_view reference, const Node& from) const override {
    return reference == "Organization/1" ? target_ : nullptr;
  }

 private:
  const Node* target_;
};

class FixedChecks : public ExternalChecks {
 public:
  std::optional<bool> MemberOf(const Value& coded, std::string_view vs) const override {
    if (vs != "http://example.org/vs") return std::nullopt;
    return coded.is_node() && coded.node()->type_name() == "CodeableConcept";
  }
  std::optional<bool> ConformsTo(const Node& node, std::string_view url) const override {
    return url == "http://example.org/ok";
  }
};

TEST_F(JsonNodeTest, ResolveMemberOfAndConformsToUseTheHooks) {
  const JsonNode& o = Load(R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                                "performer": [{"reference": "Organization/1"}, {"reference": "Patient/2"}]})");
  EXPECT_EQ(Eval(o, "performer.resolve()"), "[]");
  EXPECT_EQ(Eval(o, "code.memberOf('http://example.org/vs')"), "[]");
  MapResolver resolver(&o);
  FixedChecks checks;
  env_.resolver = &resolver;
  env_.checks = &checks;
  EXPECT_EQ(Eval(o, "performer.resolve().status"), "[final]");
  EXPECT_EQ(Eval(o, "performer.resolve().ofType(Observation).count()"), "[1]");
  EXPECT_EQ(Eval(o, "code.memberOf('http://example.org/vs')"), "[true]");
  EXPECT_EQ(Eval(o, "code.memberOf('http://example.org/other')"), "[]");
  EXPECT_EQ(Eval(o, "conformsTo('http://example.org/ok')"), "[true]");
  EXPECT_EQ(Eval(o, "conformsTo('http://example.org/no')"), "[false]");
}

TEST_F(JsonNodeTest, UnknownElementsAreReportedAndStayNavigable) {
  json::ParseError error;
  ASSERT_TRUE(json::Parse(R"({"resourceType": "Patient", "nickname": "Jo", "valueFoo": 1})", json::Limits{}, doc_,
                          error));
  auto tree = JsonTree::Build(doc_.root(), *R4Model());
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree.value()->unknown_elements().size(), 2u);
  auto e = Compile("nickname");
  ASSERT_TRUE(e.ok());
  auto r = Evaluate(*e, tree.value()->root(), EvalEnv());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].node()->primitive_text(), "Jo");
  EXPECT_FALSE(JsonTree::Build(doc_.root().Find("nickname") != nullptr ? *doc_.root().Find("nickname") : doc_.root(),
                               *R4Model()).ok());
}

TEST_F(JsonNodeTest, OracleKnowsInheritance) {
  const JsonModel& m = *R4Model();
  EXPECT_TRUE(m.IsSubtypeOf("Age", "Quantity"));
  EXPECT_TRUE(m.IsSubtypeOf("Patient", "DomainResource"));
  EXPECT_TRUE(m.IsSubtypeOf("Patient", "Resource"));
  EXPECT_TRUE(m.IsSubtypeOf("Bundle", "Resource"));
  EXPECT_FALSE(m.IsSubtypeOf("Bundle", "DomainResource"));
  EXPECT_TRUE(m.IsSubtypeOf("Observation.component", "BackboneElement"));
  EXPECT_TRUE(m.IsSubtypeOf("code", "string"));
  EXPECT_FALSE(m.IsSubtypeOf("Quantity", "Age"));
  EXPECT_EQ(m.KindOf("positiveInt"), PrimitiveKind::kInteger);
  EXPECT_EQ(m.KindOf("instant"), PrimitiveKind::kDateTime);
  EXPECT_EQ(m.KindOf("HumanName"), PrimitiveKind::kNone);
  ASSERT_NE(m.FindElement("Observation.value"), nullptr);
  EXPECT_TRUE(m.FindElement("Observation.value")->choice);
  ASSERT_NE(m.FindProfileRoot("http://hl7.org/fhir/StructureDefinition/SimpleQuantity"), nullptr);
}

// where()/exists()/all() criteria made of `name = 'text'`, `name.exists()` and the like on the
// item's children are answered without the lambda's collections: the answers must equal the
// general path's, which `$this.name` (a member with an explicit target) still takes, on every
// shape: a repeated child, a child with only an extension, a missing one, three-valued logic.
TEST_F(JsonNodeTest, ChildCriteriaAgreeWithTheGeneralPath) {
  const JsonNode& p = Load(R"({"resourceType": "Patient",
    "name": [{"id": "n1", "use": "official", "given": ["a", "b"]}, {"id": "n2", "given": ["a"]},
             {"id": "n3", "family": "x"}, {"id": "n4", "_family": {"extension": [{"url": "u", "valueString": "v"}]}},
             {"id": "n5", "family": "x", "given": ["a"]}, {"id": "n6"}]})");
  const std::vector<std::string> criteria = {
      "{t}given = 'a'", "{t}given != 'a'", "{t}family = 'x'", "{t}family != 'x'", "{t}use = 'official'",
      "{t}family = 'x' or {t}given = 'a'", "{t}family = 'x' and {t}given = 'a'", "{t}family = 'x' implies {t}given = 'a'",
      "{t}given = 'a' implies {t}family = 'x'", "{t}family = 'x' xor {t}given = 'a'", "{t}family.exists()",
      "{t}given.empty()", "{t}family.exists() and {t}given = 'a'", "({t}family = 'y' or {t}given.exists()) and {t}use != 'usual'",
  };
  EXPECT_EQ(CompareWithGeneralPath(p, "name", criteria), 42);
  EXPECT_EQ(Eval(p, "name.where(given = 'a').id"), "[n2, n5]");
  EXPECT_EQ(Eval(p, "name.where(family = 'x' or given = 'a').id"), "[n2, n3, n5]");
}

// Criteria testing the item's descendants (`code.coding.where(...).exists()`,
// `code.coding.exists(...)`) agree with the general path, repeated, missing and
// extension-only children included.
TEST_F(JsonNodeTest, DescendantCriteriaAgreeWithTheGeneralPath) {
  const JsonNode& o = Load(R"({"resourceType": "Observation", "status": "final", "code": {"text": "t"},
    "component": [
      {"id": "c1", "code": {"coding": [{"system": "s", "code": "a"}, {"system": "s", "code": "b"}]}},
      {"id": "c2", "code": {"coding": [{"system": "s2", "code": "a"}]}},
      {"id": "c3", "code": {"text": "none"}},
      {"id": "c4", "code": {"coding": [{"system": "s", "_code": {"extension": [{"url": "u", "valueString": "v"}]}}]}},
      {"id": "c5", "code": {"coding": [{"system": "s", "code": "a"}, {"system": "s", "code": "a", "display": "d"}]}}]})");
  const std::vector<std::string> criteria = {
      "{t}code.coding.where({t}system = 's' and {t}code = 'a').exists()",
      "{t}code.coding.exists({t}code = 'a')",
      "{t}code.coding.where({t}system != 's').exists() or {t}id = 'c3'",
      "{t}code.coding.exists({t}code.exists()) and {t}code.coding.where({t}display.exists()).exists()",
      "{t}code.coding.where({t}code = 'b').exists() implies {t}code.coding.exists({t}system = 's2')",
  };
  EXPECT_EQ(CompareWithGeneralPath(o, "component", criteria), 15);
  EXPECT_EQ(Eval(o, "component.where(code.coding.where(system = 's' and code = 'a').exists()).id"), "[c1, c5]");
  EXPECT_EQ(Eval(o, "component.where(code.coding.exists(display.exists())).id"), "[c5]");
}

}  // namespace
}  // namespace workwell::fhir::fhirpath

#pragma once
// A FHIRPath Node over FHIR JSON (json::Value), typed by a minimal model read from the R4
// StructureDefinition snapshots (profiles-types.json, profiles-resources.json). Used by tests and
// by the validator until a typed FHIR tree exists.
// JSON representation: https://hl7.org/fhir/R4/json.html (primitives split into "x" and "_x").

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/fhir/fhirpath/node.h"

namespace workwell::fhir::fhirpath {

// One invariant of an element definition (ElementDefinition.constraint).
struct ConstraintDef {
  std::string key;         // "ele-1"
  std::string severity;    // "error" or "warning"
  std::string human;       // the human-readable rule
  std::string expression;  // FHIRPath
};

// What the model knows about one element definition.
struct ElementDef {
  std::string path;                       // "Patient.contact", "Observation.value" (no [x])
  std::vector<std::string> types;         // FHIR type names; for a backbone element its path
  std::vector<std::string> type_profiles;  // profiles the types are constrained to (SimpleQuantity)
  bool choice = false;                    // a value[x] element
  bool backbone = false;                  // children are defined inline under `path`
  std::string content_reference;          // "Questionnaire.item" for a contentReference
  std::vector<ConstraintDef> constraints;
};

// Type knowledge from the base R4 definitions: element types, choice types, inheritance and
// the invariants. Immutable after Load; safe for concurrent use.
class JsonModel final : public TypeOracle {
 public:
  // Reads <r4_dir>/profiles-types.json and <r4_dir>/profiles-resources.json. Returns NotFound
  // for a missing file and InvalidArgument for unparsable content.
  static common::Result<std::unique_ptr<JsonModel>> Load(const std::string& r4_dir);
  // Builds the model from already parsed definition Bundles (StructureDefinitions only are used).
  static common::Result<std::unique_ptr<JsonModel>> FromBundles(const std::vector<const json::Value*>& bundles);

  // TypeOracle: follows baseDefinition (Age -> Quantity, Patient -> DomainResource -> Resource)
  // and backbone elements to BackboneElement/Element.
  bool IsSubtypeOf(std::string_view type, std::string_view base) const override;
  // The element definition at `path` ("Patient.name", "Observation.value"), or nullptr.
  const ElementDef* FindElement(std::string_view path) const;
  // The root element of a constraining profile such as SimpleQuantity, by canonical URL.
  const ElementDef* FindProfileRoot(std::string_view url) const;
  // The System kind of a FHIR primitive type name; kNone for complex types.
  PrimitiveKind KindOf(std::string_view type) const;
  // True when `type` names a resource type.
  bool IsResourceType(std::string_view type) const;
  // Every element definition, for walking all invariants.
  const std::unordered_map<std::string, ElementDef>& elements() const { return elements_; }

 private:
  struct TypeInfo {
    std::string base;  // parent type name, empty for Base/Element/Resource roots
    std::string kind;  // primitive-type, complex-type, resource, logical
  };
  common::Status AddDefinition(const json::Value& sd);

  std::unordered_map<std::string, ElementDef> elements_;
  std::unordered_map<std::string, TypeInfo> types_;
  std::unordered_map<std::string, ElementDef> profiles_;
};

class JsonTree;

// A node of a JsonTree. Owned by its tree.
class JsonNode final : public Node {
 public:
  // Node interface (see node.h).
  std::string_view name() const override { return name_; }
  std::string_view type_name() const override { return type_; }
  PrimitiveKind primitive_kind() const override { return kind_; }
  bool has_value() const override { return value_ != nullptr && !value_->IsNull(); }
  std::string_view primitive_text() const override;
  void Children(std::string_view name, std::vector<const Node*>& out) const override;
  void AllChildren(std::vector<const Node*>& out) const override;
  bool is_resource() const override { return resource_; }

  // The element definition this node was matched to (nullptr for a root resource or an
  // element the model does not know).
  const ElementDef* definition() const { return def_; }
  // The FHIRPath-style location of this node, e.g. "Patient.name[0].given[1]".
  const std::string& location() const { return location_; }
  // The JSON name this node was read from ("valueQuantity").
  std::string_view json_name() const { return json_name_; }
  // The nearest enclosing resource (itself for a resource), and the outermost resource that
  // contains it through `contained` (for %rootResource).
  const JsonNode* resource() const { return resource_node_; }
  const JsonNode* root_resource() const { return root_resource_node_; }

 private:
  friend class JsonTree;
  std::string name_;
  std::string json_name_;
  std::string type_;
  std::string location_;
  PrimitiveKind kind_ = PrimitiveKind::kNone;
  bool resource_ = false;
  const json::Value* value_ = nullptr;  // the primitive value, when there is one
  const ElementDef* def_ = nullptr;
  const JsonNode* resource_node_ = nullptr;
  const JsonNode* root_resource_node_ = nullptr;
  std::vector<const JsonNode*> children_;
};

// A typed tree built over a JSON resource. The json::Document must outlive the tree; the tree
// is immutable after Build and safe for concurrent reads.
class JsonTree {
 public:
  // Builds the tree for `resource` (an object with resourceType). Returns InvalidArgument when
  // the value is not a resource. Elements the model does not know are kept untyped and counted.
  static common::Result<std::unique_ptr<JsonTree>> Build(const json::Value& resource, const JsonModel& model);

  // The resource node the tree was built for.
  const JsonNode& root() const { return *root_; }
  // Every node in document order (pre-order), for walking all elements.
  const std::deque<JsonNode>& nodes() const { return nodes_; }
  // Locations of elements the model could not type (empty for valid R4 content).
  const std::vector<std::string>& unknown_elements() const { return unknown_; }

 private:
  JsonTree() = default;
  JsonNode* NewNode() { return &nodes_.emplace_back(); }
  common::Status BuildResource(JsonNode& node, const json::Value& obj, const JsonNode* root_resource, int depth);
  common::Status BuildChildren(JsonNode& node, const json::Value* obj, const std::string& base, int depth);
  common::Status AddChild(JsonNode& parent, std::string_view json_name, std::string_view name, const ElementDef* def,
                          std::string type, const json::Value* value, const json::Value* ext, size_t index,
                          bool array, int depth);

  const JsonModel* model_ = nullptr;
  std::deque<JsonNode> nodes_;
  JsonNode* root_ = nullptr;
  std::vector<std::string> unknown_;
};

}  // namespace workwell::fhir::fhirpath

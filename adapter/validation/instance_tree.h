#pragma once
// A typed view of one parsed resource: a node per element (resources, complex values,
// backbone elements and primitives with their extensions), each knowing its R4 type, its
// JSON and its FHIRPath location. The validator walks it and FHIRPath evaluates over it.
// Built once per validation; immutable afterwards; lives as long as the JSON it points into.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/fhir/fhirpath/node.h"
#include "adapter/fhir/model.h"

namespace workwell::validation {

class InstanceNode final : public fhir::fhirpath::Node {
 public:
  std::string_view name() const override { return name_; }
  std::string_view type_name() const override { return type_ != nullptr ? std::string_view(type_->name) : std::string_view(); }
  fhir::fhirpath::PrimitiveKind primitive_kind() const override { return kind_; }
  bool has_value() const override { return has_value_; }
  std::string_view primitive_text() const override;
  void Children(std::string_view name, std::vector<const Node*>& out) const override;
  void AllChildren(std::vector<const Node*>& out) const override;
  bool is_resource() const override { return type_ != nullptr && type_->IsResource(); }

  // The property name as written in JSON ("valueQuantity"); empty for a root resource.
  std::string_view json_name() const { return json_name_; }
  const fhir::TypeInfo* type() const { return type_; }
  // The element definition in the base type this node instantiates (nullptr for roots).
  const fhir::ElementInfo* element() const { return element_; }
  // The JSON value: an object for complex nodes, the primitive's JSON (may be null when only
  // extensions are present).
  const json::Value* value() const { return value_; }
  // The "_name" object of a primitive, or nullptr.
  const json::Value* companion() const { return companion_; }
  const InstanceNode* parent() const { return parent_; }
  const std::vector<InstanceNode*>& children() const { return children_; }
  // The FHIRPath location, e.g. "Patient.name[0].given[1]" or "Observation.value.ofType(Quantity)".
  // Computed on demand (only reported issues need it).
  std::string path() const;
  // The index among siblings of the same element (0 for single elements).
  int index() const { return index_; }
  // The nearest resource node at or above this one.
  const InstanceNode* resource() const;

 private:
  friend class InstanceTree;
  // Sets kind_ and has_value_ from type_ and value_ (called once they are final).
  void Settle();
  std::string_view name_;
  std::string_view json_name_;
  const fhir::TypeInfo* type_ = nullptr;
  const fhir::ElementInfo* element_ = nullptr;
  const json::Value* value_ = nullptr;
  const json::Value* companion_ = nullptr;
  const InstanceNode* parent_ = nullptr;
  std::vector<InstanceNode*> children_;
  std::string root_path_;  // set on the tree's root only
  int index_ = 0;
  fhir::fhirpath::PrimitiveKind kind_ = fhir::fhirpath::PrimitiveKind::kNone;
  bool has_value_ = false;
};

// Owns the nodes of one resource tree.
class InstanceTree {
 public:
  // Builds the tree of `resource` (already accepted by fhir::JsonFormat, so its shape is known
  // to be valid). `root_path` names the root in locations (normally its resourceType).
  InstanceTree(const fhir::Model& model, const json::Value& resource, std::string root_path = {});
  InstanceTree(const InstanceTree&) = delete;
  InstanceTree& operator=(const InstanceTree&) = delete;
  // Hands the node blocks to the destroying thread's cache (see NewNode).
  ~InstanceTree();

  const InstanceNode* root() const { return root_; }

 private:
  InstanceNode* NewNode();
  void BuildResource(InstanceNode* node, const json::Value& value);
  void BuildObject(InstanceNode* node, const json::Value& object, const fhir::TypeInfo& type);
  void BuildCompanion(InstanceNode* node, const json::Value& companion);

  // Nodes live in fixed-size blocks that never move (a node is pointed to by its children and
  // by FHIRPath values); one allocation per kBlock nodes. A destroyed tree's blocks go to a
  // small per-thread cache (at most kCachedBlocks, about 20 KB each) that the next tree on that
  // thread takes them from, child vectors' capacity included, instead of allocating afresh.
  static constexpr size_t kBlock = 128;
  static constexpr size_t kCachedBlocks = 32;
  const fhir::Model& model_;
  std::vector<std::unique_ptr<InstanceNode[]>> blocks_;
  size_t used_in_block_ = kBlock;
  InstanceNode* root_ = nullptr;
};

// Subtype knowledge from the R4 model, for FHIRPath's is/as/ofType. Remembers the last base type
// it looked up (equality of complex nodes asks "is this a Quantity?" of every node it compares),
// so one oracle serves one thread at a time: each validation run has its own.
class ModelTypeOracle final : public fhir::fhirpath::TypeOracle {
 public:
  explicit ModelTypeOracle(const fhir::Model& model) : model_(model) {}
  bool IsSubtypeOf(std::string_view type, std::string_view base) const override;

 private:
  const fhir::Model& model_;
  mutable std::string last_base_;
  mutable const fhir::TypeInfo* last_base_type_ = nullptr;
  mutable bool has_last_base_ = false;
};

}  // namespace workwell::validation

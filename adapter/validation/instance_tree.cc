#include "adapter/validation/instance_tree.h"

namespace workwell::validation {

using fhir::fhirpath::PrimitiveKind;

namespace {

PrimitiveKind KindOf(const fhir::TypeInfo* type) {
  if (type == nullptr || !type->primitive) return PrimitiveKind::kNone;
  switch (*type->primitive) {
    case fhir::PrimitiveType::kBoolean: return PrimitiveKind::kBoolean;
    case fhir::PrimitiveType::kInteger:
    case fhir::PrimitiveType::kPositiveInt:
    case fhir::PrimitiveType::kUnsignedInt: return PrimitiveKind::kInteger;
    case fhir::PrimitiveType::kDecimal: return PrimitiveKind::kDecimal;
    case fhir::PrimitiveType::kDate: return PrimitiveKind::kDate;
    case fhir::PrimitiveType::kDateTime:
    case fhir::PrimitiveType::kInstant: return PrimitiveKind::kDateTime;
    case fhir::PrimitiveType::kTime: return PrimitiveKind::kTime;
    default: return PrimitiveKind::kString;
  }
}

}  // namespace

void InstanceNode::Settle() {
  kind_ = KindOf(type_);
  has_value_ = value_ != nullptr && !value_->IsNull() && type_ != nullptr && type_->IsPrimitive();
}

std::string_view InstanceNode::primitive_text() const {
  if (!has_value()) return {};
  if (value_->IsBool()) return value_->AsBool() ? "true" : "false";
  return value_->text();
}

namespace {

// Length and first letter first: most children differ there, and memcmp is a call.
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

}  // namespace

void InstanceNode::Children(std::string_view name, std::vector<const Node*>& out) const {
  for (const InstanceNode* c : children_) {
    if (SameName(c->name_, name) || SameName(c->json_name_, name)) out.push_back(c);
  }
}

void InstanceNode::AllChildren(std::vector<const Node*>& out) const {
  for (const InstanceNode* c : children_) out.push_back(c);
}

std::string InstanceNode::path() const {
  if (parent_ == nullptr) return root_path_;
  std::string p = parent_->path();
  p += '.';
  p += element_->name;
  if (element_->is_choice) {
    p += ".ofType(";
    p += type_->name;
    p += ')';
  }
  if (element_->is_array) {
    p += '[';
    p += std::to_string(index_);
    p += ']';
  }
  return p;
}

const InstanceNode* InstanceNode::resource() const {
  const InstanceNode* n = this;
  while (n != nullptr && !n->is_resource()) n = n->parent_;
  return n;
}

InstanceTree::InstanceTree(const fhir::Model& model, const json::Value& resource, std::string root_path) : model_(model) {
  root_ = NewNode();
  const json::Value* rt = resource.Find("resourceType");
  root_->root_path_ = root_path.empty() && rt != nullptr ? std::string(rt->text()) : std::move(root_path);
  BuildResource(root_, resource);
}

namespace {

// Node blocks of destroyed trees, per thread (InstanceTree::NewNode).
thread_local std::vector<std::unique_ptr<InstanceNode[]>> cached_blocks;

}  // namespace

InstanceTree::~InstanceTree() {
  for (std::unique_ptr<InstanceNode[]>& block : blocks_) {
    if (cached_blocks.size() >= kCachedBlocks) break;
    cached_blocks.push_back(std::move(block));
  }
}

InstanceNode* InstanceTree::NewNode() {
  if (used_in_block_ == kBlock) {
    if (!cached_blocks.empty()) {
      blocks_.push_back(std::move(cached_blocks.back()));
      cached_blocks.pop_back();
    } else {
      blocks_.push_back(std::make_unique<InstanceNode[]>(kBlock));
    }
    used_in_block_ = 0;
  }
  InstanceNode* node = &blocks_.back()[used_in_block_++];
  // A node of a cached block still holds its last tree's fields; its children's capacity is kept.
  node->name_ = {};
  node->json_name_ = {};
  node->type_ = nullptr;
  node->element_ = nullptr;
  node->value_ = nullptr;
  node->companion_ = nullptr;
  node->parent_ = nullptr;
  node->children_.clear();
  node->root_path_.clear();
  node->index_ = 0;
  node->kind_ = PrimitiveKind::kNone;
  node->has_value_ = false;
  return node;
}

void InstanceTree::BuildResource(InstanceNode* node, const json::Value& value) {
  const json::Value* rt = value.Find("resourceType");
  const fhir::TypeInfo* type = rt != nullptr ? model_.FindResource(rt->text()) : nullptr;
  node->type_ = type;
  node->value_ = &value;
  node->Settle();
  if (type != nullptr) BuildObject(node, value, *type);
}

void InstanceTree::BuildObject(InstanceNode* node, const json::Value& object, const fhir::TypeInfo& type) {
  const auto& members = object.members();
  node->children_.reserve(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    const json::Member& m = members[i];
    if (m.key == "resourceType" && type.IsResource()) continue;  // ExampleScenario.instance has an element of that name
    const bool underscore = !m.key.empty() && m.key[0] == '_';
    const std::string_view json_name = underscore ? m.key.substr(1) : m.key;
    const fhir::JsonBinding* b = type.FindJson(json_name);
    if (b == nullptr || b->type == nullptr) continue;
    // A "_name" right after "name" was consumed with it.
    if (underscore && i > 0 && members[i - 1].key == json_name) continue;
    const json::Value* value = underscore ? nullptr : &m.value;
    const json::Value* companion = nullptr;
    if (!underscore && i + 1 < members.size() && members[i + 1].key.size() == m.key.size() + 1 &&
        members[i + 1].key[0] == '_' && members[i + 1].key.substr(1) == m.key) {
      companion = &members[i + 1].value;
    } else if (underscore) {
      companion = &m.value;
    }
    const bool array = b->element->is_array;
    const size_t count = array ? std::max(value != nullptr ? value->size() : 0u, companion != nullptr ? companion->size() : 0u) : 1;
    for (size_t k = 0; k < count; ++k) {
      InstanceNode* child = NewNode();
      child->name_ = b->element->name;
      child->json_name_ = json_name;
      child->type_ = b->type;
      child->element_ = b->element;
      child->parent_ = node;
      child->index_ = static_cast<int>(k);
      const json::Value* v = value == nullptr ? nullptr : (array ? (k < value->size() ? &value->items()[k] : nullptr) : value);
      const json::Value* c =
          companion == nullptr ? nullptr : (array ? (k < companion->size() ? &companion->items()[k] : nullptr) : companion);
      if (v != nullptr && v->IsNull()) v = nullptr;
      if (c != nullptr && c->IsNull()) c = nullptr;
      child->value_ = v;
      child->companion_ = c;
      child->Settle();
      node->children_.push_back(child);
      if (b->type->IsResource()) {
        if (v != nullptr) BuildResource(child, *v);
      } else if (b->type->IsPrimitive()) {
        if (c != nullptr) BuildCompanion(child, *c);
      } else if (v != nullptr && v->IsObject()) {
        BuildObject(child, *v, *b->type);
      }
    }
  }
}

void InstanceTree::BuildCompanion(InstanceNode* node, const json::Value& companion) {
  const fhir::TypeInfo* element = model_.FindType("Element");
  if (element != nullptr && companion.IsObject()) BuildObject(node, companion, *element);
}

bool ModelTypeOracle::IsSubtypeOf(std::string_view type, std::string_view base) const {
  if (type == base) return true;
  if (!has_last_base_ || base != last_base_) {
    last_base_.assign(base);
    last_base_type_ = model_.FindType(base);
    has_last_base_ = true;
  }
  const fhir::TypeInfo* b = last_base_type_;
  if (b == nullptr) return false;
  const fhir::TypeInfo* t = model_.FindType(type);
  return t != nullptr && t->IsA(b);
}

}  // namespace workwell::validation

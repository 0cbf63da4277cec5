#include "adapter/fhir/fhirpath/json_node.h"

#include <fstream>
#include <sstream>

namespace workwell::fhir::fhirpath {
namespace {

using common::InvalidArgument;
using common::NotFound;
using common::Result;
using common::Status;

constexpr int kMaxDepth = 120;
constexpr std::string_view kFhirTypeExtension =
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
constexpr std::string_view kSystemPrefix = "http://hl7.org/fhirpath/System.";

std::string_view Text(const json::Value* v) { return v == nullptr ? std::string_view() : v->text(); }

std::string LastSegment(std::string_view url) {
  size_t slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

// The FHIR type name of one ElementDefinition.type entry; System types map through the
// structuredefinition-fhir-type extension (https://hl7.org/fhir/R4/extensibility.html).
std::string TypeName(const json::Value& type) {
  std::string_view code = Text(type.Find("code"));
  if (code.rfind(kSystemPrefix, 0) != 0) return std::string(code);
  if (const json::Value* exts = type.Find("extension")) {
    for (const json::Value& e : exts->items()) {
      if (Text(e.Find("url")) != kFhirTypeExtension) continue;
      if (const json::Value* v = e.Find("valueUrl")) return std::string(v->text());
      if (const json::Value* v = e.Find("valueUri")) return std::string(v->text());
    }
  }
  std::string_view sys = code.substr(kSystemPrefix.size());
  if (sys == "String") return "string";
  if (sys == "Boolean") return "boolean";
  if (sys == "Integer") return "integer";
  if (sys == "Decimal") return "decimal";
  if (sys == "Date") return "date";
  if (sys == "DateTime") return "dateTime";
  if (sys == "Time") return "time";
  return std::string(sys);
}

std::string Capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<std::unique_ptr<JsonModel>> JsonModel::Load(const std::string& r4_dir) {
  json::Limits limits;
  limits.max_bytes = 512u << 20;
  limits.max_array_items = 1000000;
  std::vector<json::Document> docs;
  for (const char* file : {"profiles-types.json", "profiles-resources.json"}) {
    auto text = ReadFile(r4_dir + "/" + file);
    if (!text.ok()) return text.status();
    json::Document doc;
    json::ParseError error;
    if (!json::Parse(text.value(), limits, doc, error)) {
      return InvalidArgument(std::string(file) + ": " + error.message);
    }
    docs.push_back(std::move(doc));
  }
  std::vector<const json::Value*> roots;
  for (const json::Document& d : docs) roots.push_back(&d.root());
  return FromBundles(roots);
}

Result<std::unique_ptr<JsonModel>> JsonModel::FromBundles(const std::vector<const json::Value*>& bundles) {
  auto model = std::unique_ptr<JsonModel>(new JsonModel());
  for (const json::Value* bundle : bundles) {
    const json::Value* entries = bundle->Find("entry");
    if (entries == nullptr) return InvalidArgument("definition bundle has no entry");
    for (const json::Value& entry : entries->items()) {
      const json::Value* r = entry.Find("resource");
      if (r == nullptr || Text(r->Find("resourceType")) != "StructureDefinition") continue;
      if (Status st = model->AddDefinition(*r); !st.ok()) return st;
    }
  }
  return model;
}

Status JsonModel::AddDefinition(const json::Value& sd) {
  std::string_view kind = Text(sd.Find("kind"));
  std::string_view derivation = Text(sd.Find("derivation"));
  std::string type(Text(sd.Find("type")));
  const json::Value* snapshot = sd.Find("snapshot");
  const json::Value* elements = snapshot == nullptr ? nullptr : snapshot->Find("element");
  if (elements == nullptr) return Status::Ok();
  bool constraint_profile = derivation == "constraint";
  if (!constraint_profile) types_[type] = TypeInfo{LastSegment(Text(sd.Find("baseDefinition"))), std::string(kind)};
  for (const json::Value& e : elements->items()) {
    ElementDef def;
    def.path = std::string(Text(e.Find("path")));
    if (def.path.size() > 3 && def.path.compare(def.path.size() - 3, 3, "[x]") == 0) {
      def.path.resize(def.path.size() - 3);
      def.choice = true;
    }
    if (const json::Value* types = e.Find("type")) {
      for (const json::Value& t : types->items()) {
        def.types.push_back(TypeName(t));
        if (const json::Value* profiles = t.Find("profile")) {
          for (const json::Value& p : profiles->items()) def.type_profiles.emplace_back(p.text());
        }
      }
    }
    std::string_view ref = Text(e.Find("contentReference"));
    if (!ref.empty()) {
      def.content_reference = std::string(ref.substr(ref[0] == '#' ? 1 : 0));
      def.types = {def.content_reference};
    }
    bool nested = def.path.find('.') != std::string::npos;
    if (nested && def.types.size() == 1 && (def.types[0] == "BackboneElement" || def.types[0] == "Element")) {
      def.backbone = true;
      if (!constraint_profile) types_[def.path] = TypeInfo{def.types[0], "backbone"};
      def.types = {def.path};
    }
    if (const json::Value* constraints = e.Find("constraint")) {
      for (const json::Value& c : constraints->items()) {
        ConstraintDef cd;
        cd.key = std::string(Text(c.Find("key")));
        cd.severity = std::string(Text(c.Find("severity")));
        cd.human = std::string(Text(c.Find("human")));
        cd.expression = std::string(Text(c.Find("expression")));
        def.constraints.push_back(std::move(cd));
      }
    }
    if (constraint_profile) {
      if (!nested) profiles_[std::string(Text(sd.Find("url")))] = std::move(def);
      continue;
    }
    std::string key = def.path;
    elements_[key] = std::move(def);
  }
  return Status::Ok();
}

bool JsonModel::IsSubtypeOf(std::string_view type, std::string_view base) const {
  std::string current(type);
  for (int i = 0; i < 32; ++i) {
    if (current == base) return true;
    auto it = types_.find(current);
    if (it == types_.end() || it->second.base.empty() || it->second.base == current) return false;
    current = it->second.base;
  }
  return false;
}

const ElementDef* JsonModel::FindElement(std::string_view path) const {
  auto it = elements_.find(std::string(path));
  return it == elements_.end() ? nullptr : &it->second;
}

const ElementDef* JsonModel::FindProfileRoot(std::string_view url) const {
  auto it = profiles_.find(std::string(url));
  return it == profiles_.end() ? nullptr : &it->second;
}

PrimitiveKind JsonModel::KindOf(std::string_view type) const {
  auto it = types_.find(std::string(type));
  if (it == types_.end() || it->second.kind != "primitive-type") return PrimitiveKind::kNone;
  if (type == "boolean") return PrimitiveKind::kBoolean;
  if (type == "integer" || type == "positiveInt" || type == "unsignedInt") return PrimitiveKind::kInteger;
  if (type == "decimal") return PrimitiveKind::kDecimal;
  if (type == "date") return PrimitiveKind::kDate;
  if (type == "dateTime" || type == "instant") return PrimitiveKind::kDateTime;
  if (type == "time") return PrimitiveKind::kTime;
  return PrimitiveKind::kString;
}

bool JsonModel::IsResourceType(std::string_view type) const {
  auto it = types_.find(std::string(type));
  return it != types_.end() && it->second.kind == "resource";
}

std::string_view JsonNode::primitive_text() const {
  if (value_ == nullptr) return {};
  if (value_->IsBool()) return value_->AsBool() ? "true" : "false";
  return value_->text();
}

void JsonNode::Children(std::string_view name, std::vector<const Node*>& out) const {
  for (const JsonNode* c : children_) {
    if (c->name_ == name || c->json_name_ == name) out.push_back(c);
  }
}

void JsonNode::AllChildren(std::vector<const Node*>& out) const {
  out.insert(out.end(), children_.begin(), children_.end());
}

Result<std::unique_ptr<JsonTree>> JsonTree::Build(const json::Value& resource, const JsonModel& model) {
  if (!resource.IsObject() || resource.Find("resourceType") == nullptr) {
    return InvalidArgument("not a FHIR resource: no resourceType");
  }
  auto tree = std::unique_ptr<JsonTree>(new JsonTree());
  tree->model_ = &model;
  tree->root_ = tree->NewNode();
  if (Status st = tree->BuildResource(*tree->root_, resource, nullptr, 0); !st.ok()) return st;
  return tree;
}

Status JsonTree::BuildResource(JsonNode& node, const json::Value& obj, const JsonNode* root_resource, int depth) {
  node.type_ = std::string(Text(obj.Find("resourceType")));
  node.resource_ = true;
  node.resource_node_ = &node;
  node.root_resource_node_ = root_resource != nullptr ? root_resource : &node;
  if (node.location_.empty()) node.location_ = node.type_;
  if (!model_->IsResourceType(node.type_)) unknown_.push_back(node.location_ + " (resource type " + node.type_ + ")");
  return BuildChildren(node, &obj, node.type_, depth + 1);
}

Status JsonTree::BuildChildren(JsonNode& node, const json::Value* obj, const std::string& base, int depth) {
  if (depth > kMaxDepth) return InvalidArgument("resource nested too deeply at " + node.location_);
  if (obj == nullptr || !obj->IsObject()) return Status::Ok();
  for (const json::Member& m : obj->members()) {
    std::string_view key = m.key;
    if (node.resource_ && key == "resourceType") continue;
    if (key == "fhir_comments") continue;
    std::string_view real = key;
    const json::Value* value = &m.value;
    const json::Value* ext = nullptr;
    if (!key.empty() && key[0] == '_') {
      real = key.substr(1);
      if (obj->Find(real) != nullptr) continue;  // handled with the value
      ext = value;
      value = nullptr;
    } else {
      ext = obj->Find("_" + std::string(key));
    }
    const ElementDef* def = model_->FindElement(base + "." + std::string(real));
    std::string name(real);
    std::string type;
    if (def != nullptr && !def->choice) {
      if (!def->types.empty()) type = def->types[0];
    } else {
      def = nullptr;
      for (size_t i = real.size() - 1; i > 0 && def == nullptr; --i) {
        if (real[i] < 'A' || real[i] > 'Z') continue;
        const ElementDef* d = model_->FindElement(base + "." + std::string(real.substr(0, i)));
        if (d == nullptr || !d->choice) continue;
        std::string_view suffix = real.substr(i);
        for (const std::string& t : d->types) {
          if (Capitalize(t) == suffix) {
            def = d;
            name = std::string(real.substr(0, i));
            type = t;
            break;
          }
        }
      }
    }
    if (def == nullptr) unknown_.push_back(node.location_ + "." + std::string(real));
    const json::Value* values = value != nullptr ? value : ext;
    if (values->IsArray()) {
      uint32_t count = values->size();
      if (value != nullptr && ext != nullptr && ext->IsArray()) count = std::max(count, ext->size());
      for (uint32_t i = 0; i < count; ++i) {
        const json::Value* v = value != nullptr && value->IsArray() && i < value->size() ? &value->items()[i] : nullptr;
        const json::Value* x = ext != nullptr && ext->IsArray() && i < ext->size() ? &ext->items()[i] : nullptr;
        if (Status st = AddChild(node, real, name, def, type, v, x, i, true, depth); !st.ok()) return st;
      }
    } else {
      if (Status st = AddChild(node, real, name, def, type, value, ext, 0, false, depth); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

Status JsonTree::AddChild(JsonNode& parent, std::string_view json_name, std::string_view name, const ElementDef* def,
                          std::string type, const json::Value* value, const json::Value* ext, size_t index,
                          bool array, int depth) {
  if (value != nullptr && value->IsNull()) value = nullptr;
  if (ext != nullptr && ext->IsNull()) ext = nullptr;
  if (value == nullptr && ext == nullptr) return Status::Ok();
  JsonNode& n = *NewNode();
  parent.children_.push_back(&n);
  n.name_ = std::string(name);
  n.json_name_ = std::string(json_name);
  n.location_ = parent.location_ + "." + std::string(json_name);
  if (array) n.location_ += "[" + std::to_string(index) + "]";
  n.def_ = def;
  n.resource_node_ = parent.resource_node_;
  n.root_resource_node_ = parent.root_resource_node_;
  bool resource_slot = type == "Resource" || model_->IsResourceType(type);
  if (resource_slot && value != nullptr && value->IsObject() && value->Find("resourceType") != nullptr) {
    const JsonNode* root = json_name == "contained" ? parent.root_resource_node_ : nullptr;
    return BuildResource(n, *value, root, depth + 1);
  }
  n.type_ = std::move(type);
  if (def == nullptr) {
    // Untyped: keep the data navigable.
    if (value != nullptr && value->IsObject()) return BuildChildren(n, value, "?", depth + 1);
    if (value != nullptr) {
      n.kind_ = value->IsBool() ? PrimitiveKind::kBoolean : value->IsNumber() ? PrimitiveKind::kDecimal
                                                                                : PrimitiveKind::kString;
      n.value_ = value;
    }
    return Status::Ok();
  }
  n.kind_ = model_->KindOf(n.type_);
  if (n.kind_ != PrimitiveKind::kNone) {
    if (value != nullptr && !value->IsObject() && !value->IsArray()) n.value_ = value;
    return BuildChildren(n, ext, n.type_, depth + 1);
  }
  std::string base = n.type_;
  if (!def->content_reference.empty()) base = def->content_reference;
  return BuildChildren(n, value, base, depth + 1);
}

}  // namespace workwell::fhir::fhirpath

#include "adapter/fhir/model.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapter/common/json/json.h"

namespace workwell::fhir {

using common::Result;
using common::Status;

void TypeInfo::IndexJsonNames() {
  json_slots_.clear();
  json_mask_ = 0;
  if (json_names.empty()) return;
  uint32_t size = 4;
  while (size < json_names.size() * 3) size *= 2;
  json_slots_.assign(size, nullptr);
  json_mask_ = size - 1;
  for (const auto& entry : json_names) {
    uint32_t h = ShortNameHash(entry.first) & json_mask_;
    while (json_slots_[h] != nullptr) h = (h + 1) & json_mask_;
    json_slots_[h] = &entry;
  }
}

const JsonBinding* TypeInfo::FindJson(std::string_view json_name) const {
  if (json_slots_.empty()) return nullptr;
  for (uint32_t h = ShortNameHash(json_name) & json_mask_;; h = (h + 1) & json_mask_) {
    const auto* entry = json_slots_[h];
    if (entry == nullptr) return nullptr;
    if (entry->first.size() == json_name.size() && std::string_view(entry->first) == json_name) return &entry->second;
  }
}

const ElementInfo* TypeInfo::FindElement(std::string_view n) const {
  for (const ElementInfo& e : elements) {
    if (e.name == n) return &e;
  }
  return nullptr;
}

bool TypeInfo::IsA(const TypeInfo* other) const {
  for (const TypeInfo* t = this; t != nullptr; t = t->base) {
    if (t == other) return true;
  }
  return false;
}

const TypeInfo* Model::FindType(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second.get();
}

const TypeInfo* Model::FindResource(std::string_view name) const {
  const TypeInfo* t = FindType(name);
  return t != nullptr && t->IsResource() && !t->is_abstract ? t : nullptr;
}

std::vector<std::string> Model::ResourceNames() const {
  std::vector<std::string> names;
  for (const auto& [name, t] : types_) {
    if (t->IsResource() && !t->is_abstract) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

std::string_view Str(const json::Value* v) { return v != nullptr ? v->text() : std::string_view(); }

// "Observation.value[x]" -> "Observation"
std::string_view ParentPath(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
}

std::string Capitalise(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

Result<json::Document> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFound("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  json::Document doc;
  json::ParseError err;
  json::Limits limits;
  limits.max_bytes = 256u << 20;
  limits.max_array_items = 1u << 24;
  if (!json::Parse(text, limits, doc, err)) {
    return common::InvalidArgument(path + ": " + err.message + " at offset " + std::to_string(err.offset));
  }
  return doc;
}

}  // namespace

class ModelBuilder {
 public:
  explicit ModelBuilder(Model& model) : model_(model) {}

  // Registers a type shell for every StructureDefinition that defines a type.
  void Declare(const json::Value& sd) {
    std::string_view kind = Str(sd.Find("kind"));
    std::string_view derivation = Str(sd.Find("derivation"));
    if (derivation == "constraint" || kind == "logical") return;
    auto t = std::make_unique<TypeInfo>();
    t->name = std::string(Str(sd.Find("id")));
    if (model_.types_.count(t->name) != 0) return;  // the first definition of a type wins
    t->url = std::string(Str(sd.Find("url")));
    if (const json::Value* a = sd.Find("abstract")) t->is_abstract = a->AsBool();
    if (kind == "primitive-type") {
      t->kind = TypeInfo::Kind::kPrimitive;
      t->primitive = PrimitiveTypeFromName(t->name);
    } else if (kind == "resource") {
      t->kind = TypeInfo::Kind::kResource;
    }
    definitions_.push_back({t.get(), &sd});
    model_.types_[t->name] = std::move(t);
  }

  Status Build() {
    // Pseudo-types for System.String elements, named after their FHIR type.
    for (const char* name : {"string", "uri", "id"}) {
      auto t = std::make_unique<TypeInfo>();
      t->name = std::string("System.String#") + name;
      t->kind = TypeInfo::Kind::kPrimitive;
      t->primitive = PrimitiveTypeFromName(name);
      t->allows_extensions = false;
      model_.types_[t->name] = std::move(t);
    }
    for (auto& [type, sd] : definitions_) {
      std::string_view base_url = Str(sd->Find("baseDefinition"));
      if (!base_url.empty()) {
        size_t slash = base_url.rfind('/');
        type->base = model_.FindType(base_url.substr(slash + 1));
      }
    }
    for (auto& [type, sd] : definitions_) {
      const json::Value* snapshot = sd->Find("snapshot");
      const json::Value* elements = snapshot != nullptr ? snapshot->Find("element") : nullptr;
      if (elements == nullptr) return common::InvalidArgument("StructureDefinition " + type->name + " has no snapshot");
      if (Status s = BuildElements(*type, *elements); !s.ok()) return s;
    }
    model_.resource_ = model_.FindType("Resource");
    if (model_.resource_ == nullptr) return common::InvalidArgument("definitions lack Resource");
    for (auto& [name, t] : model_.types_) IndexJsonNames(*t);
    return Status::Ok();
  }

 private:
  // Creates the elements of `root` and of every backbone element below it.
  Status BuildElements(TypeInfo& root, const json::Value& elements) {
    std::unordered_map<std::string, TypeInfo*> owners;  // path -> type owning its children
    owners[root.name] = &root;
    // First pass: make a backbone type for every element that has children.
    for (const json::Value& el : elements.items()) {
      std::string path(Str(el.Find("path")));
      std::string parent(ParentPath(path));
      if (!parent.empty() && owners.find(parent) == owners.end()) {
        auto bb = std::make_unique<TypeInfo>();
        bb->name = parent;
        bb->kind = TypeInfo::Kind::kBackbone;
        bb->base = model_.FindType(root.IsResource() ? "BackboneElement" : "Element");
        owners[parent] = bb.get();
        model_.types_[parent] = std::move(bb);
      }
    }
    for (const json::Value& el : elements.items()) {
      std::string path(Str(el.Find("path")));
      std::string parent(ParentPath(path));
      if (parent.empty()) continue;  // the root element itself
      TypeInfo* owner = owners[parent];
      ElementInfo info;
      info.path = path;
      std::string_view last = std::string_view(path).substr(parent.size() + 1);
      info.is_choice = last.size() > 3 && last.substr(last.size() - 3) == "[x]";
      info.name = std::string(info.is_choice ? last.substr(0, last.size() - 3) : last);
      info.min = static_cast<uint32_t>(std::atoi(std::string(Str(el.Find("min"))).c_str()));
      std::string_view max = Str(el.Find("max"));
      info.max = max == "*" ? ElementInfo::kUnbounded : static_cast<uint32_t>(std::atoi(std::string(max).c_str()));
      info.is_array = max != "0" && max != "1";
      if (const json::Value* m = el.Find("isModifier")) info.is_modifier = m->AsBool();
      if (const json::Value* m = el.Find("isSummary")) info.is_summary = m->AsBool();
      // Primitive types' "value" child is the primitive itself, not a JSON property.
      if (root.IsPrimitive() && owner == &root && info.name == "value") continue;
      std::string content_ref;
      if (auto it = owners.find(path); it != owners.end() && it->second != &root) {
        info.types.push_back(it->second);  // a backbone element: its own type
      } else if (const json::Value* ref = el.Find("contentReference")) {
        content_ref = std::string(ref->text().substr(1));  // "#Questionnaire.item" -> type by path
      } else if (const json::Value* types = el.Find("type")) {
        for (const json::Value& t : types->items()) {
          const TypeInfo* ti = ResolveTypeCode(t, path);
          if (ti == nullptr) {
            return common::InvalidArgument("unknown type '" + std::string(Str(t.Find("code"))) + "' at " + path);
          }
          info.types.push_back(ti);
        }
      }
      info.index = static_cast<int>(owner->elements.size());
      owner->elements.push_back(std::move(info));
      if (!content_ref.empty()) pending_refs_.push_back({owner, owner->elements.back().index, content_ref});
    }
    for (const PendingRef& p : pending_refs_) {
      const TypeInfo* target = model_.FindType(p.target_path);
      if (target == nullptr) return common::InvalidArgument("unresolved contentReference " + p.target_path);
      p.owner->elements[p.index].types.push_back(target);
    }
    pending_refs_.clear();
    return Status::Ok();
  }

  const TypeInfo* ResolveTypeCode(const json::Value& type, const std::string& path) {
    std::string_view code = Str(type.Find("code"));
    if (code == "http://hl7.org/fhirpath/System.String") {
      // Resource.id is an id; Extension.url (and similar) a uri; Element.id a plain string.
      if (path.size() > 3 && path.substr(path.size() - 3) == ".id" && path.find('.') == path.size() - 3 &&
          model_.FindType(path.substr(0, path.size() - 3)) != nullptr &&
          model_.FindType(path.substr(0, path.size() - 3))->IsResource()) {
        return model_.FindType("System.String#id");
      }
      if (const json::Value* exts = type.Find("extension")) {
        for (const json::Value& ext : exts->items()) {
          if (Str(ext.Find("url")) == "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type") {
            std::string_view fhir_type = Str(ext.Find("valueUrl"));
            if (fhir_type == "uri") return model_.FindType("System.String#uri");
            if (fhir_type == "id") return model_.FindType("System.String#id");
          }
        }
      }
      return model_.FindType("System.String#string");
    }
    return model_.FindType(code);
  }

  void IndexJsonNames(TypeInfo& t) {
    for (const ElementInfo& e : t.elements) {
      if (e.is_choice) {
        for (const TypeInfo* ty : e.types) t.json_names[e.name + Capitalise(ty->name)] = {&e, ty};
      } else {
        t.json_names[e.name] = {&e, e.types.empty() ? nullptr : e.types[0]};
      }
    }
    t.IndexJsonNames();
  }

  struct PendingRef {
    TypeInfo* owner;
    int index;
    std::string target_path;
  };
  Model& model_;
  std::vector<std::pair<TypeInfo*, const json::Value*>> definitions_;
  std::vector<PendingRef> pending_refs_;
};

Result<std::shared_ptr<const Model>> Model::LoadFromDirectory(const std::string& r4_dir) {
  std::vector<json::Document> docs;
  for (const char* file : {"profiles-types.json", "profiles-resources.json"}) {
    Result<json::Document> doc = ReadJsonFile(r4_dir + "/" + file);
    if (!doc.ok()) return doc.status();
    docs.push_back(std::move(doc).value());
  }
  std::vector<const json::Value*> sds;
  for (const json::Document& doc : docs) {
    const json::Value* entries = doc.root().Find("entry");
    if (entries == nullptr) return common::InvalidArgument(r4_dir + ": definitions bundle has no entries");
    for (const json::Value& entry : entries->items()) {
      const json::Value* res = entry.Find("resource");
      if (res != nullptr && Str(res->Find("resourceType")) == "StructureDefinition") sds.push_back(res);
    }
  }
  auto model = FromDefinitions(sds);
  if (!model.ok()) return Status(model.status().code(), r4_dir + ": " + model.status().message());
  return model;
}

Result<std::shared_ptr<const Model>> Model::FromDefinitions(const std::vector<const json::Value*>& sds) {
  std::shared_ptr<Model> model(new Model());
  ModelBuilder builder(*model);
  for (const json::Value* sd : sds) {
    if (Str(sd->Find("url")).rfind("http://hl7.org/fhir/StructureDefinition/", 0) != 0) continue;
    builder.Declare(*sd);
  }
  if (Status s = builder.Build(); !s.ok()) return s;
  return std::shared_ptr<const Model>(std::move(model));
}

std::string Model::DefaultDirectory() {
  const char* env = std::getenv("WORKWELL_FHIR_DIR");
  std::string base = env != nullptr && *env != '\0' ? env : WORKWELL_DEFAULT_FHIR_DIR;
  return base + "/r4";
}

Result<std::shared_ptr<const Model>> Model::LoadDefault() { return LoadFromDirectory(DefaultDirectory()); }

}  // namespace workwell::fhir

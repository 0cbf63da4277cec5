#include "adapter/validation/profile.h"

#include <cstdlib>
#include <set>

#include "adapter/validation/native_invariants.h"

namespace workwell::validation {
namespace {

constexpr std::string_view kCoreBase = "http://hl7.org/fhir/StructureDefinition/";

std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

// Invariants whose published R4 expression contradicts their own human text; the corrected
// expression is evaluated instead (the correction was made in later FHIR releases).
struct Erratum {
  std::string_view key;
  std::string_view published;
  std::string_view corrected;
};
constexpr Erratum kErrata[] = {
    // "If there are more than one enableWhen, enableBehavior must be specified"
    {"que-12", "enableWhen.count() > 2 implies enableBehavior.exists()",
     "enableWhen.count() > 1 implies enableBehavior.exists()"},
};

std::string Capitalise(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::vector<std::string_view> SplitId(std::string_view id) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  int bracket = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (id[i] == '[') ++bracket;
    if (id[i] == ']') --bracket;
    if (id[i] == '.' && bracket == 0) {
      // A dot inside a slice name ("extension:a.b") is rare; slice names end at the next dot.
      parts.push_back(id.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(id.substr(start));
  return parts;
}

void RewritePrefix(ElementDef& def, const std::string& old_id, const std::string& new_id, const std::string& old_path,
                   const std::string& new_path) {
  if (def.id.compare(0, old_id.size(), old_id) == 0) def.id = new_id + def.id.substr(old_id.size());
  if (def.path.compare(0, old_path.size(), old_path) == 0) def.path = new_path + def.path.substr(old_path.size());
  for (ElementDef& c : def.children) RewritePrefix(c, old_id, new_id, old_path, new_path);
  for (ElementDef& s : def.slices) RewritePrefix(s, old_id, new_id, old_path, new_path);
}

const ElementDef* FindByPath(const ElementDef& def, std::string_view path) {
  if (def.path == path && def.slice_name.empty()) return &def;
  for (const ElementDef& c : def.children) {
    if (path.size() >= c.path.size() && path.compare(0, c.path.size(), c.path) == 0) {
      if (const ElementDef* f = FindByPath(c, path)) return f;
    }
  }
  return nullptr;
}

}  // namespace

void ChildLookup::Build(const std::vector<std::string_view>& names) {
  slots_.clear();
  ready_ = false;
  mask_ = 0;
  if (names.empty()) {
    ready_ = true;
    return;
  }
  uint32_t size = 4;
  while (size < names.size() * 3) size *= 2;
  slots_.assign(size, -1);
  mask_ = size - 1;
  for (size_t i = 0; i < names.size(); ++i) {
    uint32_t h = Hash(names[i]) & mask_;
    while (slots_[h] >= 0) {
      if (names[static_cast<size_t>(slots_[h])] == names[i]) {
        slots_.clear();
        return;  // a repeated name: callers compare names instead
      }
      h = (h + 1) & mask_;
    }
    slots_[h] = static_cast<int>(i);
  }
  ready_ = true;
}

namespace {

void IndexChildren(ElementDef& def, const fhir::Model& model) {
  def.indexed = true;
  def.is_extension = def.name == "extension" || def.name == "modifierExtension";
  for (TypeRef& t : def.types) {
    const std::string_view code = t.code;
    t.resource_code = code == "Resource" || code == "DomainResource";
    t.generic = code.substr(0, 7) == "System." || t.resource_code || code == "BackboneElement" || code == "Element";
    t.type_info = model.FindType(code);
  }
  std::vector<std::string_view> names;
  names.reserve(def.children.size());
  def.checked_when_absent.clear();
  for (size_t i = 0; i < def.children.size(); ++i) {
    ElementDef& c = def.children[i];
    names.push_back(c.name);
    if (c.min > 0 || !c.slices.empty()) def.checked_when_absent.push_back(static_cast<int>(i));
    IndexChildren(c, model);
  }
  for (ElementDef& s : def.slices) IndexChildren(s, model);
  def.child_lookup.Build(names);
}

}  // namespace

const ElementDef* ElementDef::FindChild(std::string_view child_name) const {
  for (const ElementDef& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

const Profile* ProfileSet::Find(std::string_view url) const {
  auto it = profiles_.find(url);
  if (it != profiles_.end()) return it->second.get();
  auto v = by_version_.find(url);
  if (v != by_version_.end()) return v->second;
  if (size_t bar = url.find('|'); bar != std::string_view::npos) return Find(url.substr(0, bar));
  return nullptr;
}

const Profile* ProfileSet::Core(const fhir::TypeInfo& type) const {
  if (!core_slots_.empty()) {
    for (size_t i = SlotOf(&type) & core_mask_;; i = (i + 1) & core_mask_) {
      const auto& slot = core_slots_[i];
      if (slot.first == &type) return slot.second;
      if (slot.first == nullptr) break;
    }
  }
  return Core(type.name);
}

const Profile* ProfileSet::Core(std::string_view type_name) const {
  auto it = core_.find(type_name);
  return it == core_.end() ? nullptr : it->second;
}

class ProfileCompiler {
 public:
  ProfileCompiler(const ConformanceIndex& index, const fhir::Model& model, ProfileSet& set,
                  std::vector<std::string>* warnings)
      : index_(index), model_(model), set_(set), warnings_(warnings) {}

  void CompileAll() {
    for (const json::Value* sd : index_.All("StructureDefinition")) {
      std::string_view url = Text(sd->Find("url"));
      if (!url.empty()) Compile(url);
    }
  }

 private:
  const Profile* Compile(std::string_view url) {
    if (const Profile* done = set_.Find(url)) return done;
    const std::string key(url);
    if (failed_.count(key) != 0 || in_progress_.count(key) != 0) return nullptr;
    const json::Value* sd = index_.Find("StructureDefinition", url);
    if (sd == nullptr) return nullptr;
    in_progress_.insert(key);
    auto profile = std::make_unique<Profile>();
    const bool ok = Build(*sd, *profile);
    in_progress_.erase(key);
    if (!ok) {
      failed_.insert(key);
      return nullptr;
    }
    Profile* p = profile.get();
    const std::string stored_url = p->url;
    set_.profiles_[stored_url] = std::move(profile);
    if (!p->version.empty()) set_.by_version_[stored_url + "|" + p->version] = p;
    return p;
  }

  void Warn(std::string message) {
    if (warnings_ != nullptr) warnings_->push_back(std::move(message));
  }

  // Compiling a base or a type profile happens in the middle of another build: keep the
  // caller's state aside.
  bool Build(const json::Value& sd, Profile& p) {
    const std::string saved_source = current_source_;
    ElementDef* saved_root = current_root_;
    const bool ok = BuildOne(sd, p);
    current_source_ = saved_source;
    current_root_ = saved_root;
    return ok;
  }

  bool BuildOne(const json::Value& sd, Profile& p) {
    p.url = std::string(Text(sd.Find("url")));
    p.version = std::string(Text(sd.Find("version")));
    p.name = std::string(Text(sd.Find("name")));
    p.type = std::string(Text(sd.Find("type")));
    const std::string_view derivation = Text(sd.Find("derivation"));
    p.is_constraint = derivation == "constraint";
    if (const json::Value* contexts = sd.Find("context")) {
      for (const json::Value& c : contexts->items()) {
        p.contexts.emplace_back(std::string(Text(c.Find("type"))), std::string(Text(c.Find("expression"))));
      }
    }
    const json::Value* differential = sd.Find("differential");
    const json::Value* snapshot = sd.Find("snapshot");
    const std::string_view base_url = Text(sd.Find("baseDefinition"));
    current_source_ = p.url;
    if (p.is_constraint && differential != nullptr && !base_url.empty()) {
      const Profile* base = Compile(base_url);
      if (base == nullptr) {
        Warn(p.url + ": base definition " + std::string(base_url) + " is unknown; profile skipped");
        return false;
      }
      p.root = base->root;
      current_root_ = &p.root;
      ApplyElements(p, *differential->Find("element"), /*snapshot=*/false);
    } else if (snapshot != nullptr && snapshot->Find("element") != nullptr) {
      p.root = ElementDef();
      current_root_ = &p.root;
      ApplyElements(p, *snapshot->Find("element"), /*snapshot=*/true);
    } else {
      Warn(p.url + ": neither a snapshot nor a constraining differential; skipped");
      return false;
    }
    return true;
  }

  // Applies a list of element definitions (a snapshot or a differential) to p.root.
  void ApplyElements(Profile& p, const json::Value& elements, bool snapshot) {
    // For definitions without element ids, the slice that path-only elements belong to.
    std::vector<std::pair<std::string, std::string>> open_slices;  // {path, sliceName}
    const bool primitive = model_.FindType(p.type) != nullptr && model_.FindType(p.type)->IsPrimitive();
    for (const json::Value& el : elements.items()) {
      std::string id(Text(el.Find("id")));
      const std::string_view path = Text(el.Find("path"));
      const std::string_view slice_name = Text(el.Find("sliceName"));
      if (id.empty()) id = SynthesiseId(path, slice_name, open_slices);
      std::vector<std::string_view> segments = SplitId(id);
      if (primitive && segments.size() == 2 && segments[1] == "value") continue;
      ElementDef* def = Navigate(p.root, segments, snapshot);
      if (def == nullptr) {
        Warn(p.url + ": element " + id + " does not match the base definition; ignored");
        continue;
      }
      if (def == &p.root && def->path.empty()) {
        def->id = std::string(segments[0]);
        def->path = std::string(segments[0]);
        def->name = def->path;
      }
      Merge(*def, el);
    }
  }

  std::string SynthesiseId(std::string_view path, std::string_view slice_name,
                           std::vector<std::pair<std::string, std::string>>& open_slices) {
    // Close slices that are not ancestors of (or equal to) this path.
    while (!open_slices.empty()) {
      const std::string& p = open_slices.back().first;
      const bool ancestor = path.size() > p.size() && path.compare(0, p.size(), p) == 0 && path[p.size()] == '.';
      if (ancestor) break;
      open_slices.pop_back();
    }
    std::string id;
    size_t start = 0;
    while (start <= path.size()) {
      size_t dot = path.find('.', start);
      if (dot == std::string_view::npos) dot = path.size();
      const std::string_view prefix = path.substr(0, dot);
      if (!id.empty()) id += '.';
      id += path.substr(start, dot - start);
      for (const auto& [p, s] : open_slices) {
        if (p == prefix) id += ":" + s;
      }
      start = dot + 1;
    }
    if (!slice_name.empty()) {
      id += ":";
      id += slice_name;
      open_slices.emplace_back(std::string(path), std::string(slice_name));
    }
    return id;
  }

  // Finds (creating where needed) the element that `segments` names below `root`.
  ElementDef* Navigate(ElementDef& root, const std::vector<std::string_view>& segments, bool snapshot) {
    ElementDef* node = &root;
    for (size_t i = 1; i < segments.size(); ++i) {
      std::string_view seg = segments[i];
      std::string_view slice;
      if (size_t colon = seg.find(':'); colon != std::string_view::npos) {
        slice = seg.substr(colon + 1);
        seg = seg.substr(0, colon);
      }
      const bool choice = seg.size() > 3 && seg.substr(seg.size() - 3) == "[x]";
      const std::string_view name = choice ? seg.substr(0, seg.size() - 3) : seg;
      ElementDef* child = FindChildMutable(*node, name);
      if (child == nullptr && !snapshot) {
        Unfold(*node);
        child = FindChildMutable(*node, name);
      }
      std::string rename_type;
      if (child == nullptr) {
        // A choice constrained to one type by renaming: "valueQuantity" for value[x].
        for (ElementDef& c : node->children) {
          if (!c.is_choice || name.size() <= c.name.size() || name.compare(0, c.name.size(), c.name) != 0) continue;
          const std::string_view suffix = name.substr(c.name.size());
          for (const TypeRef& t : c.types) {
            if (Capitalise(t.code) == suffix) rename_type = t.code;
          }
          if (rename_type.empty() && model_.FindType(Uncapitalise(suffix)) != nullptr) rename_type = Uncapitalise(suffix);
          if (rename_type.empty() && model_.FindType(suffix) != nullptr) rename_type = std::string(suffix);
          if (!rename_type.empty()) {
            child = &c;
            break;
          }
        }
      }
      if (child == nullptr) {
        if (!snapshot) return nullptr;
        node->children.emplace_back();
        child = &node->children.back();
        child->name = std::string(name);
        child->is_choice = choice;
        child->path = node->path + "." + std::string(seg);
        child->id = node->id + "." + std::string(seg);
      }
      if (!rename_type.empty()) {
        // Treat the rename as a type slice of the choice element.
        ElementDef* s = FindOrCreateSlice(*child, std::string(name));
        if (s->types.size() != 1 || s->types[0].code != rename_type) {
          TypeRef keep{rename_type, {}, {}};
          for (const TypeRef& t : child->types) {
            if (t.code == rename_type) keep = t;
          }
          s->types = {keep};
        }
        child = s;
      }
      if (!slice.empty()) child = FindOrCreateSlice(*child, std::string(slice));
      node = child;
    }
    return node;
  }

  static std::string Uncapitalise(std::string_view s) {
    std::string out(s);
    if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
    return out;
  }

  static ElementDef* FindChildMutable(ElementDef& node, std::string_view name) {
    for (ElementDef& c : node.children) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  ElementDef* FindOrCreateSlice(ElementDef& sliced, const std::string& slice_name) {
    for (ElementDef& s : sliced.slices) {
      if (s.slice_name == slice_name) return &s;
    }
    ElementDef slice = sliced;
    slice.slices.clear();
    slice.slicing.reset();
    slice.slice_name = slice_name;
    slice.id = sliced.id + ":" + slice_name;
    // A slice is optional unless its definition says otherwise; the sliced element's own
    // minimum applies to all slices together, not to each.
    slice.min = 0;
    // Children keep their ids relative to the slice.
    for (ElementDef& c : slice.children) RewritePrefix(c, sliced.id, slice.id, sliced.path, sliced.path);
    sliced.slices.push_back(std::move(slice));
    return &sliced.slices.back();
  }

  // Gives `node` the children of its type (or of its type profile / content reference).
  void Unfold(ElementDef& node) {
    if (!node.children.empty()) return;
    const ElementDef* source = nullptr;
    if (!node.content_reference.empty() && current_root_ != nullptr) {
      std::string_view target = node.content_reference;
      if (!target.empty() && target[0] == '#') target.remove_prefix(1);
      source = FindByPath(*current_root_, target);
      if (source == &node) source = nullptr;
    } else if (!node.types.empty()) {
      const std::string& code = node.types[0].code;
      for (const TypeRef& t : node.types) {
        if (t.code != code) return;  // several types: nothing single to unfold into
      }
      const Profile* from = nullptr;
      if (!node.types[0].profiles.empty()) from = Compile(node.types[0].profiles[0]);
      if (from == nullptr) from = Compile(std::string(kCoreBase) + code);
      if (from != nullptr) source = &from->root;
    }
    if (source == nullptr) return;
    node.children = source->children;
    for (ElementDef& c : node.children) RewritePrefix(c, source->id, node.id, source->path, node.path);
  }

  void Merge(ElementDef& d, const json::Value& el) {
    for (const json::Member& m : el.members()) {
      const std::string_view k = m.key;
      const json::Value& v = m.value;
      if (k == "min" && v.IsNumber()) {
        d.min = static_cast<uint32_t>(std::strtoul(std::string(v.text()).c_str(), nullptr, 10));
      } else if (k == "max" && v.IsString()) {
        d.max = v.text() == "*" ? fhir::ElementInfo::kUnbounded
                                : static_cast<uint32_t>(std::strtoul(std::string(v.text()).c_str(), nullptr, 10));
      } else if (k == "type" && v.IsArray()) {
        d.types.clear();
        for (const json::Value& t : v.items()) {
          TypeRef ref;
          ref.code = std::string(Text(t.Find("code")));
          if (ref.code.rfind("http://hl7.org/fhirpath/System.", 0) == 0) ref.code = "System." + ref.code.substr(31);
          if (const json::Value* ps = t.Find("profile")) {
            for (const json::Value& p : ps->items()) ref.profiles.emplace_back(p.text());
          }
          if (const json::Value* ps = t.Find("targetProfile")) {
            for (const json::Value& p : ps->items()) ref.target_profiles.emplace_back(p.text());
          }
          d.types.push_back(std::move(ref));
        }
      } else if (k.rfind("fixed", 0) == 0 && k.size() > 5) {
        d.fixed = &v;
        d.fixed_type = Uncapitalise(k.substr(5));
      } else if (k.rfind("pattern", 0) == 0 && k.size() > 7) {
        d.pattern = &v;
        d.fixed_type = Uncapitalise(k.substr(7));
      } else if (k.rfind("minValue", 0) == 0 && k.size() > 8) {
        d.min_value = &v;
        d.min_value_type = Uncapitalise(k.substr(8));
      } else if (k.rfind("maxValue", 0) == 0 && k.size() > 8) {
        d.max_value = &v;
        d.max_value_type = Uncapitalise(k.substr(8));
      } else if (k == "maxLength" && v.IsNumber()) {
        d.max_length = std::atoi(std::string(v.text()).c_str());
      } else if (k == "contentReference" && v.IsString()) {
        d.content_reference = std::string(v.text());
      } else if (k == "binding" && v.IsObject()) {
        Binding b;
        const std::string_view s = Text(v.Find("strength"));
        b.strength = s == "required" ? Binding::Strength::kRequired
                     : s == "extensible" ? Binding::Strength::kExtensible
                     : s == "preferred" ? Binding::Strength::kPreferred
                                        : Binding::Strength::kExample;
        b.value_set = std::string(Text(v.Find("valueSet")));
        d.binding = b;
      } else if (k == "slicing" && v.IsObject()) {
        Slicing s;
        if (const json::Value* ds = v.Find("discriminator")) {
          for (const json::Value& dv : ds->items()) {
            Discriminator disc;
            const std::string_view t = Text(dv.Find("type"));
            disc.type = t == "pattern" ? Discriminator::Type::kPattern
                        : t == "type" ? Discriminator::Type::kType
                        : t == "profile" ? Discriminator::Type::kProfile
                        : t == "exists" ? Discriminator::Type::kExists
                                        : Discriminator::Type::kValue;
            disc.path = std::string(Text(dv.Find("path")));
            s.discriminators.push_back(std::move(disc));
          }
        }
        if (const json::Value* o = v.Find("ordered")) s.ordered = o->AsBool();
        const std::string_view rules = Text(v.Find("rules"));
        s.rules = rules == "closed" ? Slicing::Rules::kClosed
                  : rules == "openAtEnd" ? Slicing::Rules::kOpenAtEnd
                                         : Slicing::Rules::kOpen;
        d.slicing = std::move(s);
      } else if (k == "constraint" && v.IsArray()) {
        for (const json::Value& c : v.items()) {
          Constraint con;
          con.key = std::string(Text(c.Find("key")));
          con.is_error = Text(c.Find("severity")) != "warning";
          con.human = std::string(Text(c.Find("human")));
          con.expression = std::string(Text(c.Find("expression")));
          for (const Erratum& e : kErrata) {
            if (con.key == e.key && con.expression == e.published) con.expression = std::string(e.corrected);
          }
          con.source = std::string(Text(c.Find("source")));
          if (con.source.empty()) con.source = current_source_;
          bool exists = false;
          for (Constraint& old : d.constraints) {
            if (old.key == con.key) {
              exists = true;
              if (old.expression != con.expression) old = con;  // a profile may tighten a constraint
            }
          }
          if (!exists) d.constraints.push_back(std::move(con));
        }
        for (Constraint& con : d.constraints) {
          if (con.compiled == nullptr && !con.expression.empty()) con.compiled = CompileExpression(con.expression);
          con.native = ClassifyNative(con);
        }
      }
    }
  }

  std::shared_ptr<const fhir::fhirpath::Expression> CompileExpression(const std::string& text) {
    auto it = expressions_.find(text);
    if (it != expressions_.end()) return it->second;
    std::shared_ptr<const fhir::fhirpath::Expression> compiled;
    auto r = fhir::fhirpath::Compile(text);
    if (r.ok()) {
      compiled = std::make_shared<const fhir::fhirpath::Expression>(std::move(r).value());
    } else {
      Warn("FHIRPath '" + text + "' does not compile: " + r.status().message());
    }
    expressions_[text] = compiled;
    return compiled;
  }

  const ConformanceIndex& index_;
  const fhir::Model& model_;
  ProfileSet& set_;
  std::vector<std::string>* warnings_;
  std::set<std::string> in_progress_;
  std::set<std::string> failed_;
  std::string current_source_;
  ElementDef* current_root_ = nullptr;
  std::unordered_map<std::string, std::shared_ptr<const fhir::fhirpath::Expression>> expressions_;
};

std::shared_ptr<const ProfileSet> ProfileSet::Build(const ConformanceIndex& index, const fhir::Model& model,
                                                   std::vector<std::string>* warnings) {
  auto set = std::make_shared<ProfileSet>();
  ProfileCompiler compiler(index, model, *set, warnings);
  compiler.CompileAll();
  // Last, once no ElementDef moves any more (the lookups point into their names).
  for (const auto& [url, profile] : set->profiles_) IndexChildren(profile->root, model);
  for (const auto& [url, profile] : set->profiles_) {
    if (url.rfind(kCoreBase, 0) == 0 && !profile->is_constraint) set->core_[url.substr(kCoreBase.size())] = profile.get();
  }
  std::vector<std::pair<const fhir::TypeInfo*, const Profile*>> by_type;
  for (const auto& [type_name, profile] : set->core_) {
    for (const fhir::TypeInfo* type : {model.FindType(type_name), model.FindResource(type_name)}) {
      if (type != nullptr && type->name == type_name) by_type.emplace_back(type, profile);
    }
  }
  size_t slots = 16;
  while (slots < by_type.size() * 2) slots *= 2;
  set->core_slots_.assign(slots, {nullptr, nullptr});
  set->core_mask_ = slots - 1;
  for (const auto& [type, profile] : by_type) {
    size_t i = SlotOf(type) & set->core_mask_;
    while (set->core_slots_[i].first != nullptr && set->core_slots_[i].first != type) i = (i + 1) & set->core_mask_;
    set->core_slots_[i] = {type, profile};
  }
  return set;
}

}  // namespace workwell::validation

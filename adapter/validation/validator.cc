#include "adapter/validation/validator.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <set>
#include <span>
#include <unordered_map>

#include "adapter/fhir/fhirpath/evaluator.h"
#include "adapter/validation/instance_tree.h"
#include "adapter/validation/native_invariants.h"
#include "adapter/validation/questionnaire/questionnaire_validator.h"

namespace workwell::validation {

using common::Result;
using common::Status;
using fhir::IssueSink;
using fhir::Severity;

namespace {

constexpr std::string_view kCoreBase = "http://hl7.org/fhir/StructureDefinition/";

const std::vector<Discriminator> kNoDiscriminators;

// Comparisons against literals go through string_view so that the length is compared first
// (std::string == const char* measures the literal and compares on every call).
bool IsExtensionName(std::string_view name) { return name == "extension" || name == "modifierExtension"; }

// Type codes a node of any type satisfies in CheckType (precomputed in TypeRef::generic for
// compiled profiles).
bool IsGenericTypeCode(std::string_view code) {
  return code.substr(0, 7) == "System." || code == "Resource" || code == "DomainResource" ||
         code == "BackboneElement" || code == "Element";
}


std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

std::string CardText(uint32_t n) { return n == fhir::ElementInfo::kUnbounded ? "*" : std::to_string(n); }

// Example domains whose extensions and profiles may be unknown without error, as the
// reference validator allows them by default.
bool IsExampleUrl(std::string_view url) {
  for (std::string_view host : {"http://example.org", "https://example.org", "http://example.com", "https://example.com",
                                "http://acme.com", "https://acme.com", "http://acme.org", "https://acme.org",
                                "http://hl7.org/fhir/test/", "http://www.example.org"}) {
    if (url.rfind(host, 0) == 0) return true;
  }
  return false;
}

// The resource type a literal reference names: "Patient/1", "http://x/fhir/Patient/1",
// "Patient/1/_history/2". Empty for local ("#x"), urn: and unparseable references.
std::string_view ReferencedType(std::string_view ref, const fhir::Model& model) {
  if (ref.empty() || ref[0] == '#' || ref.rfind("urn:", 0) == 0) return {};
  if (size_t h = ref.find("/_history/"); h != std::string_view::npos) ref = ref.substr(0, h);
  size_t last = ref.rfind('/');
  if (last == std::string_view::npos || last == 0) return {};
  size_t prev = ref.rfind('/', last - 1);
  std::string_view type = ref.substr(prev == std::string_view::npos ? 0 : prev + 1,
                                     last - (prev == std::string_view::npos ? 0 : prev + 1));
  return model.FindResource(type) != nullptr ? type : std::string_view();
}

// True when the JSON `instance` contains everything `pattern` holds (FHIR pattern[x] rules).
bool MatchesPattern(const json::Value& pattern, const json::Value& instance) {
  if (pattern.IsObject()) {
    if (!instance.IsObject()) return false;
    for (const json::Member& m : pattern.members()) {
      const json::Value* v = instance.Find(m.key);
      if (v == nullptr || !MatchesPattern(m.value, *v)) return false;
    }
    return true;
  }
  if (pattern.IsArray()) {
    if (!instance.IsArray()) return false;
    for (const json::Value& p : pattern.items()) {
      bool found = false;
      for (const json::Value& i : instance.items()) {
        if (MatchesPattern(p, i)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  return json::Equal(pattern, instance);
}

// Compares two decimal texts numerically (no precision loss for ordinary magnitudes).
int CompareNumbers(std::string_view a, std::string_view b) {
  const double x = std::strtod(std::string(a).c_str(), nullptr);
  const double y = std::strtod(std::string(b).c_str(), nullptr);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// resolve() for FHIRPath: contained resources ("#id") and the entries of the Bundle being
// validated (by fullUrl, or by Type/id against RESTful fullUrls and entry ids).
class LocalResolver final : public fhir::fhirpath::Resolver {
 public:
  explicit LocalResolver(const InstanceNode* root) {
    if (root == nullptr || root->type_name() != "Bundle") return;
    for (const InstanceNode* entry : root->children()) {
      if (entry->name() != "entry") continue;
      std::string_view full_url;
      const InstanceNode* resource = nullptr;
      for (const InstanceNode* c : entry->children()) {
        if (c->name() == "fullUrl") full_url = c->primitive_text();
        if (c->name() == "resource") resource = c;
      }
      if (resource == nullptr || resource->value() == nullptr) continue;
      if (!full_url.empty()) by_url_.emplace(std::string(full_url), resource);
      const std::string_view id = Text(resource->value()->Find("id"));
      if (!id.empty()) by_url_.emplace(std::string(resource->type_name()) + "/" + std::string(id), resource);
    }
  }

  const fhir::fhirpath::Node* Resolve(std::string_view reference, const fhir::fhirpath::Node& from) const override {
    if (!reference.empty() && reference[0] == '#') {
      const auto* node = dynamic_cast<const InstanceNode*>(&from);
      // The container: the outermost resource of the contained chain.
      const InstanceNode* container = node != nullptr ? node->resource() : nullptr;
      while (container != nullptr && container->name() == "contained" && container->parent() != nullptr) {
        container = container->parent()->resource();
      }
      if (container == nullptr) return nullptr;
      if (reference.size() == 1) return container;
      for (const InstanceNode* c : container->children()) {
        if (c->name() == "contained" && c->value() != nullptr && Text(c->value()->Find("id")) == reference.substr(1)) {
          return c;
        }
      }
      return nullptr;
    }
    auto it = by_url_.find(std::string(reference));
    if (it != by_url_.end()) return it->second;
    // "Patient/1" against "http://server/fhir/Patient/1".
    for (const auto& [url, node] : by_url_) {
      if (url.size() > reference.size() && url.compare(url.size() - reference.size(), reference.size(), reference) == 0 &&
          url[url.size() - reference.size() - 1] == '/') {
        return node;
      }
    }
    return nullptr;
  }

 private:
  std::unordered_map<std::string, const InstanceNode*> by_url_;
};

class Run {
 public:
  ~Run() {
    std::vector<std::unique_ptr<ChildBuffers>>& spare = SpareBuffers();
    for (std::unique_ptr<ChildBuffers>& b : buffers_by_depth_) {
      if (spare.size() >= kSpareBuffers) break;
      spare.push_back(std::move(b));
    }
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  Run(const Validator& v, IssueSink& sink)
      : v_(v),
        sink_(sink),
        oracle_(v.model()),
        coding_type_(v.model().FindType("Coding")),
        reference_type_(v.model().FindType("Reference")) {}

  void ValidateRoot(const json::Value& resource, const std::vector<std::string>& profiles) {
    InstanceTree tree(v_.model(), resource);
    tree_root_ = tree.root();
    LocalResolver resolver(tree.root());
    resolver_ = &resolver;
    ValidateResource(*tree.root(), profiles);
    resolver_ = nullptr;
    tree_root_ = nullptr;
  }

 private:
  void Issue(Severity sev, const char* code, const std::string& path, std::string text) {
    std::string key = path;
    key += '\x1f';
    key += text;
    if (!seen_.insert(key).second) return;  // the same finding through two profiles
    sink_.Add({sev, code, std::move(text), path, {}});
  }
  void Error(const char* code, const std::string& path, std::string text) {
    Issue(Severity::kError, code, path, std::move(text));
  }
  void Warning(const char* code, const std::string& path, std::string text) {
    Issue(Severity::kWarning, code, path, std::move(text));
  }

  const Profile* Core(std::string_view type) const { return v_.profiles().Core(type); }

  void ValidateResource(const InstanceNode& res, const std::vector<std::string>& extra) {
    if (res.type() == nullptr) return;
    std::vector<const Profile*> profiles;
    if (const Profile* core = v_.profiles().Core(*res.type())) profiles.push_back(core);
    std::vector<std::string> claimed;
    if (const json::Value* meta = res.value()->Find("meta")) {
      if (const json::Value* ps = meta->Find("profile")) {
        for (const json::Value& p : ps->items()) claimed.emplace_back(p.text());
      }
    }
    for (const std::string& url : extra) claimed.push_back(url);
    if (v_.HasGlobalProfiles()) {
      for (std::string& url : v_.GlobalProfiles(res.type()->name)) claimed.push_back(std::move(url));
    }
    for (const std::string& url : claimed) {
      const Profile* p = v_.profiles().Find(url);
      if (p == nullptr) {
        Warning("not-supported", res.path(),
                "Profile reference '" + url + "' has not been checked because it is unknown");
        continue;
      }
      if (p->type != res.type()->name) {
        Error("invalid", res.path(),
              "The profile " + url + " constrains " + p->type + ", not " + std::string(res.type()->name));
        continue;
      }
      if (std::find(profiles.begin(), profiles.end(), p) == profiles.end()) profiles.push_back(p);
    }
    const InstanceNode* saved = current_resource_;
    current_resource_ = &res;
    for (const Profile* p : profiles) {
      const Profile* saved_profile = profile_;
      profile_ = p;
      ValidateAgainst(p->root, res);
      profile_ = saved_profile;
    }
    if (res.type()->name == "Bundle") CheckBundle(res);
    if (res.type()->name == "QuestionnaireResponse") CheckQuestionnaireResponse(res);
    current_resource_ = saved;
  }

  // The definition whose children describe the inside of `node`.
  const ElementDef* ChildrenDef(const ElementDef& def, const InstanceNode& node) {
    if (!def.children.empty()) return &def;
    if (!def.content_reference.empty() && profile_ != nullptr) {
      std::string_view target = def.content_reference;
      if (!target.empty() && target[0] == '#') target.remove_prefix(1);
      if (const ElementDef* t = FindByPath(profile_->root, target)) return ChildrenDef(*t, node);
    }
    if (node.type() == nullptr) return nullptr;
    if (node.type()->kind == fhir::TypeInfo::Kind::kBackbone) return nullptr;
    const Profile* core = v_.profiles().Core(*node.type());
    return core != nullptr ? &core->root : nullptr;
  }

  static const ElementDef* FindByPath(const ElementDef& def, std::string_view path) {
    if (def.path == path && def.slice_name.empty()) return &def;
    for (const ElementDef& c : def.children) {
      if (path.size() >= c.path.size() && path.compare(0, c.path.size(), c.path) == 0) {
        if (const ElementDef* f = FindByPath(c, path)) return f;
      }
    }
    return nullptr;
  }

  void ValidateAgainst(const ElementDef& def, const InstanceNode& node) {
    CheckValue(def, node);
    if (node.is_resource() && &node != current_resource_) {
      ValidateResource(node, {});
      return;
    }
    const ElementDef* cdef = ChildrenDef(def, node);
    if (cdef == nullptr) return;
    // Descending into a type's own definition: its root invariants (ref-1, per-1, qty-3, ...)
    // apply to this value too.
    if (cdef != &def && cdef->path.find('.') == std::string::npos) CheckConstraints(*cdef, node);
    ValidateChildren(*cdef, node);
  }

  void ValidateChildren(const ElementDef& parent, const InstanceNode& node) {
    // One buffer per recursion depth, reused across calls (each on the heap, so references stay
    // stable while deeper levels add theirs).
    if (buffers_by_depth_.size() <= depth_) {
      std::vector<std::unique_ptr<ChildBuffers>>& spare = SpareBuffers();
      if (spare.empty()) {
        buffers_by_depth_.push_back(std::make_unique<ChildBuffers>());
      } else {
        buffers_by_depth_.push_back(std::move(spare.back()));
        spare.pop_back();
      }
    }
    ChildBuffers& buf = *buffers_by_depth_[depth_];
    ++depth_;
    const std::vector<InstanceNode*>& kids = node.children();
    if (parent.child_lookup.ready()) {
      // Each instance child's definition through the lookup table; then, in definition order,
      // only the definitions that have instance children or must be looked at without any
      // (required or sliced): the others have nothing to check.
      buf.position.resize(kids.size());
      buf.visit.clear();
      bool ascending = true;
      int last = -1;
      for (size_t i = 0; i < kids.size(); ++i) {
        const int p = parent.ChildPosition(kids[i]->name());
        buf.position[i] = p;
        if (p < 0) continue;
        ascending = ascending && p >= last;
        last = p;
      }
      if (ascending) {
        // The usual case (members in canonical order): each definition's children are one run
        // of `kids`, and the definitions to visit come from merging two ascending lists.
        const std::vector<int>& absent = parent.checked_when_absent;
        size_t i = 0, a = 0;
        while (true) {
          while (i < kids.size() && buf.position[i] < 0) ++i;
          const int next_kid = i < kids.size() ? buf.position[i] : INT_MAX;
          const int next_absent = a < absent.size() ? absent[a] : INT_MAX;
          const int ci = std::min(next_kid, next_absent);
          if (ci == INT_MAX) break;
          if (next_absent == ci) ++a;
          buf.items.clear();
          for (; i < kids.size() && (buf.position[i] == ci || buf.position[i] < 0); ++i) {
            if (buf.position[i] == ci) buf.items.push_back(kids[i]);
          }
          CheckChildren(parent.children[static_cast<size_t>(ci)], node, buf.items);
        }
        --depth_;
        return;
      }
      for (int p : buf.position) {
        if (p >= 0) buf.visit.push_back(p);
      }
      buf.visit.insert(buf.visit.end(), parent.checked_when_absent.begin(), parent.checked_when_absent.end());
      std::sort(buf.visit.begin(), buf.visit.end());
      buf.visit.erase(std::unique(buf.visit.begin(), buf.visit.end()), buf.visit.end());
      for (size_t v = 0; v < buf.visit.size(); ++v) {
        const int ci = buf.visit[v];
        buf.items.clear();
        for (size_t i = 0; i < kids.size(); ++i) {
          if (buf.position[i] == ci) buf.items.push_back(kids[i]);
        }
        CheckChildren(parent.children[static_cast<size_t>(ci)], node, buf.items);
      }
    } else {
      for (const ElementDef& c : parent.children) {
        buf.items.clear();
        const std::string_view want = c.name;
        for (const InstanceNode* child : kids) {
          // Length and first letter first: most children differ there, and memcmp is a call.
          const std::string_view name = child->name();
          if (name.size() == want.size() && (want.empty() || (name[0] == want[0] && name == want))) {
            buf.items.push_back(child);
          }
        }
        CheckChildren(c, node, buf.items);
      }
    }
    --depth_;
  }

  // The cardinality of child definition `c` in `node`, then each of its `items`.
  void CheckChildren(const ElementDef& c, const InstanceNode& node, std::span<const InstanceNode* const> items) {
    const uint32_t n = static_cast<uint32_t>(items.size());
    if (n < c.min) {
      Error("required", node.path(),
            c.path + ": minimum required = " + std::to_string(c.min) + ", but only found " + std::to_string(n) +
                SourceSuffix());
    }
    if (c.max != fhir::ElementInfo::kUnbounded && n > c.max) {
      Error("structure", node.path(),
            c.path + ": max allowed = " + CardText(c.max) + ", but found " + std::to_string(n) + SourceSuffix());
    }
    if (items.empty() && c.slices.empty()) return;
    const bool is_extension = c.indexed ? c.is_extension : IsExtensionName(c.name);
    if (!c.slices.empty()) {
      ValidateSliced(c, node, items, is_extension);
    } else {
      for (const InstanceNode* item : items) {
        ValidateAgainst(c, *item);
        if (is_extension) ValidateExtension(*item, c.name == "modifierExtension");
      }
    }
  }

  std::string SourceSuffix() const {
    return profile_ != nullptr ? " (from " + profile_->url + ")" : std::string();
  }

  // --- slicing -----------------------------------------------------------------------------

  void ValidateSliced(const ElementDef& c, const InstanceNode& parent, std::span<const InstanceNode* const> items,
                      bool is_extension) {
    std::vector<int> counts(c.slices.size(), 0);
    int last_slice = -1;
    bool unmatched_seen = false;
    const Slicing* slicing = c.slicing ? &*c.slicing : nullptr;
    for (const InstanceNode* item : items) {
      int matched = -1;
      for (size_t s = 0; s < c.slices.size() && matched < 0; ++s) {
        if (MatchesSlice(c, c.slices[s], *item)) matched = static_cast<int>(s);
      }
      if (matched < 0) {
        unmatched_seen = true;
        if (slicing != nullptr && slicing->rules == Slicing::Rules::kClosed) {
          Error("structure", item->path(),
                "This element does not match any known slice defined in the profile " +
                    (profile_ != nullptr ? profile_->url : std::string()) + " and slicing is CLOSED");
        }
        ValidateAgainst(c, *item);
        if (is_extension) ValidateExtension(*item, c.name == "modifierExtension");
        continue;
      }
      ++counts[matched];
      if (slicing != nullptr && slicing->ordered && matched < last_slice) {
        Error("structure", item->path(), "As specified by profile " + (profile_ != nullptr ? profile_->url : "") +
                                             ", Element '" + c.name + "' is out of order in the slicing");
      }
      if (slicing != nullptr && slicing->rules == Slicing::Rules::kOpenAtEnd && unmatched_seen) {
        Error("structure", item->path(), "The slicing of " + c.path + " is open at the end only; this slice follows an unmatched element");
      }
      last_slice = std::max(last_slice, matched);
      const ElementDef& slice = c.slices[matched];
      ValidateAgainst(slice, *item);
      if (is_extension) {
        // A slice with a type profile was validated against it; a slice of a complex
        // extension ("party", "method") is itself the definition of that part.
        bool has_profile = false;
        for (const TypeRef& t : slice.types) has_profile = has_profile || !t.profiles.empty();
        if (!has_profile && !IsPartOfComplexExtension(*item)) ValidateExtension(*item, c.name == "modifierExtension");
      }
    }
    for (size_t s = 0; s < c.slices.size(); ++s) {
      const ElementDef& slice = c.slices[s];
      if (static_cast<uint32_t>(counts[s]) < slice.min) {
        Error("required", parent.path(),
              "Slice '" + c.path + ":" + slice.slice_name + "': a matching slice is required, but not found" +
                  SourceSuffix());
      }
      if (slice.max != fhir::ElementInfo::kUnbounded && static_cast<uint32_t>(counts[s]) > slice.max) {
        Error("structure", parent.path(),
              c.path + ":" + slice.slice_name + ": max allowed = " + CardText(slice.max) + ", but found " +
                  std::to_string(counts[s]) + SourceSuffix());
      }
    }
  }

  // The definition at a discriminator path below a slice, following type profiles where the
  // slice itself does not spell out its children.
  const ElementDef* DefAtPath(const ElementDef& start, std::string_view path) {
    const ElementDef* cur = &start;
    if (path == "$this" || path.empty()) return cur;
    size_t pos = 0;
    while (pos <= path.size() && cur != nullptr) {
      size_t dot = path.find('.', pos);
      if (dot == std::string_view::npos) dot = path.size();
      std::string_view seg = path.substr(pos, dot - pos);
      pos = dot + 1;
      if (seg == "$this") continue;
      const ElementDef* children = cur;
      if (cur->children.empty()) {
        children = nullptr;
        for (const TypeRef& t : cur->types) {
          const Profile* p = !t.profiles.empty() ? v_.profiles().Find(t.profiles[0]) : Core(t.code);
          if (p != nullptr) {
            children = &p->root;
            break;
          }
        }
        if (children == nullptr) return nullptr;
      }
      const ElementDef* next = nullptr;
      if (seg.rfind("extension(", 0) == 0) {
        std::string_view url = seg.substr(10);
        if (!url.empty() && url.back() == ')') url.remove_suffix(1);
        if (url.size() >= 2 && (url.front() == '\'' || url.front() == '"')) url = url.substr(1, url.size() - 2);
        if (const ElementDef* ext = children->FindChild("extension")) {
          for (const ElementDef& s : ext->slices) {
            for (const TypeRef& t : s.types) {
              if (!t.profiles.empty() && t.profiles[0] == url) next = &s;
            }
          }
        }
      } else if (seg.rfind("ofType(", 0) == 0) {
        next = cur;
      } else {
        next = children->FindChild(seg);
      }
      cur = next;
      if (dot == path.size()) break;
    }
    return cur;
  }

  // The instance values at a discriminator path below `node`.
  void ValuesAtPath(const InstanceNode& node, std::string_view path, std::vector<const InstanceNode*>& out) {
    // Nothing below calls back into ValuesAtPath, so two member buffers serve every call.
    std::vector<const InstanceNode*>& cur = path_current_;
    std::vector<const InstanceNode*>& next = path_next_;
    cur.assign(1, &node);
    size_t pos = 0;
    while (pos < path.size()) {
      size_t dot = path.find('.', pos);
      if (dot == std::string_view::npos) dot = path.size();
      std::string_view seg = path.substr(pos, dot - pos);
      pos = dot + 1;
      if (seg == "$this") continue;
      next.clear();
      for (const InstanceNode* n : cur) {
        if (seg.rfind("extension(", 0) == 0) {
          std::string_view url = seg.substr(10);
          if (!url.empty() && url.back() == ')') url.remove_suffix(1);
          if (url.size() >= 2) url = url.substr(1, url.size() - 2);
          for (const InstanceNode* c : n->children()) {
            if (c->name() != "extension") continue;
            for (const InstanceNode* u : c->children()) {
              if (u->name() == "url" && u->primitive_text() == url) next.push_back(c);
            }
          }
        } else if (seg.rfind("ofType(", 0) == 0) {
          std::string_view type = seg.substr(7, seg.size() - 8);
          if (n->type_name() == type) next.push_back(n);
        } else if (seg == "resolve()") {
          next.push_back(n);  // references are not followed here
        } else {
          for (const InstanceNode* c : n->children()) {
            if (c->name() == seg) next.push_back(c);
          }
        }
      }
      cur.swap(next);
    }
    out.insert(out.end(), cur.begin(), cur.end());
  }

  static bool NodeEquals(const InstanceNode& n, const json::Value& expected) {
    if (n.value() == nullptr) return false;
    if (n.type() != nullptr && n.type()->IsPrimitive()) {
      if (expected.IsBool()) return n.value()->IsBool() && n.value()->AsBool() == expected.AsBool();
      return n.value()->text() == expected.text();
    }
    return json::Equal(expected, *n.value());
  }

  static bool NodeMatchesPattern(const InstanceNode& n, const json::Value& pattern) {
    if (n.value() == nullptr) return false;
    if (n.type() != nullptr && n.type()->IsPrimitive()) return NodeEquals(n, pattern);
    return MatchesPattern(pattern, *n.value());
  }

  // An emptied buffer for the discriminator values of one MatchesSlice step (which never
  // re-enters MatchesSlice on this Run: Conforms validates on a Run of its own).
  std::vector<const InstanceNode*>& ScratchValues() {
    slice_values_.clear();
    return slice_values_;
  }

  bool MatchesSlice(const ElementDef& sliced, const ElementDef& slice, const InstanceNode& item) {
    const Slicing* slicing = sliced.slicing ? &*sliced.slicing : nullptr;
    static const std::vector<Discriminator> kByUrl{{Discriminator::Type::kValue, "url"}};
    static const std::vector<Discriminator> kByType{{Discriminator::Type::kType, "$this"}};
    const std::vector<Discriminator>* discs = &kNoDiscriminators;
    if (slicing != nullptr) discs = &slicing->discriminators;
    if (discs->empty() && IsExtensionName(sliced.name)) discs = &kByUrl;
    // A choice constrained by renaming (valueQuantity) is a type slice of value[x].
    if (discs->empty() && sliced.is_choice) discs = &kByType;
    if (discs->empty()) return false;
    for (const Discriminator& d : *discs) {
      switch (d.type) {
        case Discriminator::Type::kValue:
        case Discriminator::Type::kPattern: {
          const ElementDef* target = DefAtPath(slice, d.path);
          const json::Value* expected = nullptr;
          if (target != nullptr) expected = target->fixed != nullptr ? target->fixed : target->pattern;
          if (expected == nullptr && d.path == "url" && !slice.types.empty() && !slice.types[0].profiles.empty()) {
            // An extension slice: its url is the extension definition's canonical.
            std::vector<const InstanceNode*>& urls = ScratchValues();
            ValuesAtPath(item, "url", urls);
            const std::string& want = slice.types[0].profiles[0];
            bool ok = false;
            for (const InstanceNode* u : urls) ok = ok || u->primitive_text() == std::string_view(want).substr(0, want.find('|'));
            if (!ok) return false;
            continue;
          }
          if (expected == nullptr) {
            if (target != nullptr && target->binding && target->binding->strength == Binding::Strength::kRequired) {
              std::vector<const InstanceNode*>& values = ScratchValues();
              ValuesAtPath(item, d.path, values);
              bool ok = false;
              for (const InstanceNode* val : values) ok = ok || CodedMember(*val, target->binding->value_set) == Membership::kYes;
              if (!ok) return false;
              continue;
            }
            continue;  // the slice does not constrain this discriminator
          }
          std::vector<const InstanceNode*>& values = ScratchValues();
          ValuesAtPath(item, d.path, values);
          bool ok = false;
          const bool as_pattern = target->pattern != nullptr && target->fixed == nullptr;
          for (const InstanceNode* val : values) ok = ok || (as_pattern ? NodeMatchesPattern(*val, *expected) : NodeEquals(*val, *expected));
          if (!ok) return false;
          break;
        }
        case Discriminator::Type::kExists: {
          const ElementDef* target = DefAtPath(slice, d.path);
          if (target == nullptr) return false;
          std::vector<const InstanceNode*>& values = ScratchValues();
          ValuesAtPath(item, d.path, values);
          if (target->min >= 1 && values.empty()) return false;
          if (target->max == 0 && !values.empty()) return false;
          break;
        }
        case Discriminator::Type::kType: {
          const ElementDef* target = DefAtPath(slice, d.path);
          if (target == nullptr || target->types.empty()) return false;
          std::vector<const InstanceNode*>& values = ScratchValues();
          ValuesAtPath(item, d.path, values);
          bool ok = false;
          for (const InstanceNode* val : values) {
            for (const TypeRef& t : target->types) ok = ok || val->type_name() == t.code;
          }
          if (!ok) return false;
          break;
        }
        case Discriminator::Type::kProfile: {
          const ElementDef* target = DefAtPath(slice, d.path);
          if (target == nullptr) return false;
          std::vector<const InstanceNode*>& values = ScratchValues();
          ValuesAtPath(item, d.path, values);
          bool ok = false;
          for (const TypeRef& t : target->types) {
            for (const std::string& url : t.profiles) {
              const Profile* p = v_.profiles().Find(url);
              if (p == nullptr) continue;
              for (const InstanceNode* val : values) ok = ok || Conforms(*p, *val);
            }
          }
          if (!ok) return false;
          break;
        }
      }
    }
    return true;
  }

  // Validates `node` against `profile` into a scratch sink; true when no error was found.
  bool Conforms(const Profile& profile, const InstanceNode& node) {
    IssueSink scratch;
    Run inner(v_, scratch);
    inner.tree_root_ = tree_root_;
    inner.resolver_ = resolver_;
    inner.current_resource_ = node.is_resource() ? &node : current_resource_;
    inner.profile_ = &profile;
    inner.ValidateAgainst(profile.root, node);
    return !scratch.HasErrors();
  }

  // --- values --------------------------------------------------------------------------------

  void CheckValue(const ElementDef& def, const InstanceNode& node) {
    CheckType(def, node);
    if (def.fixed != nullptr && !NodeEquals(node, *def.fixed)) {
      Error("value", node.path(),
            "Value is '" + Render(node) + "' but is fixed to '" + json::Write(*def.fixed) + "' in the profile " +
                (profile_ != nullptr ? profile_->url : std::string()));
    }
    if (def.pattern != nullptr && !NodeMatchesPattern(node, *def.pattern)) {
      Error("value", node.path(),
            "The value does not match the pattern " + json::Write(*def.pattern) + " required by " +
                (profile_ != nullptr ? profile_->url : std::string()));
    }
    if (node.has_value()) CheckPrimitiveLimits(def, node);
    if ((def.min_value != nullptr && def.min_value->IsObject()) || (def.max_value != nullptr && def.max_value->IsObject())) {
      CheckQuantityLimits(def, node);
    }
    if (def.binding) CheckBinding(def, node);
    CheckCodes(node);
    if (node.type() != nullptr && node.type() == reference_type_) CheckReference(def, node);
    CheckConstraints(def, node);
  }

  static std::string Render(const InstanceNode& node) {
    if (node.value() == nullptr) return "";
    if (node.type() != nullptr && node.type()->IsPrimitive()) return std::string(node.primitive_text());
    return json::Write(*node.value());
  }

  void CheckType(const ElementDef& def, const InstanceNode& node) {
    if (def.types.empty() || node.type() == nullptr) return;
    std::string_view actual = node.type_name();
    if (actual.rfind("System.String#", 0) == 0) return;  // Element.id, Extension.url, Resource.id
    // Whether `t` names the node's type (or any type); the Resource codes only for resources.
    const auto matches = [&](const TypeRef& t, bool* skipped) {
      const std::string_view code = t.code;
      const bool generic = def.indexed ? t.generic : IsGenericTypeCode(code);
      // Node types are the model's, one per name: the same type exactly when the same pointer.
      const bool same = def.indexed ? t.type_info == node.type() : code == actual;
      if (!same && !generic) return false;
      if ((def.indexed ? t.resource_code : code == "Resource" || code == "DomainResource") && !node.is_resource()) {
        *skipped = true;
        return false;
      }
      return true;
    };
    for (const TypeRef& t : def.types) {
      bool skipped = false;
      if (matches(t, &skipped)) {
        CheckTypeProfiles(t, node);
        return;
      }
      if (skipped) continue;
      if (node.type()->kind == fhir::TypeInfo::Kind::kBackbone) return;
    }
    if (node.is_resource()) {
      // A contained or bundled resource: the allowed codes are resource types.
      for (const TypeRef& t : def.types) {
        if (t.code == actual) return;
      }
    }
    // The codes that did not match, listed only now that the check has failed.
    std::string allowed;
    for (const TypeRef& t : def.types) {
      bool skipped = false;
      matches(t, &skipped);
      if (skipped) continue;
      if (!allowed.empty()) allowed += ", ";
      allowed += t.code;
    }
    Error("structure", node.path(),
          "The type " + std::string(actual) + " is not allowed here" +
              (profile_ != nullptr ? " by " + profile_->url : std::string()) + "; allowed: " + allowed);
  }


  void CheckTypeProfiles(const TypeRef& t, const InstanceNode& node) {
    if (t.profiles.empty() || t.code == "Extension") return;  // extensions are checked by url
    bool any_known = false, any_ok = false;
    for (const std::string& url : t.profiles) {
      const Profile* p = v_.profiles().Find(url);
      if (p == nullptr || p == profile_) continue;
      any_known = true;
      if (t.profiles.size() == 1) {
        const Profile* saved = profile_;
        profile_ = p;
        ValidateAgainst(p->root, node);
        profile_ = saved;
        return;
      }
      any_ok = any_ok || Conforms(*p, node);
    }
    if (any_known && !any_ok) {
      Error("structure", node.path(), "The value does not conform to any of the allowed profiles for this element");
    }
  }

  void CheckPrimitiveLimits(const ElementDef& def, const InstanceNode& node) {
    const std::string_view text = node.primitive_text();
    if (def.max_length > 0 && text.size() > static_cast<size_t>(def.max_length)) {
      Error("too-long", node.path(),
            "value is longer than permitted maximum length of " + std::to_string(def.max_length));
    }
    const bool numeric = node.primitive_kind() == fhir::fhirpath::PrimitiveKind::kInteger ||
                         node.primitive_kind() == fhir::fhirpath::PrimitiveKind::kDecimal;
    const bool temporal = node.primitive_kind() == fhir::fhirpath::PrimitiveKind::kDate ||
                          node.primitive_kind() == fhir::fhirpath::PrimitiveKind::kDateTime ||
                          node.primitive_kind() == fhir::fhirpath::PrimitiveKind::kTime;
    if (def.min_value != nullptr && !def.min_value->IsObject()) {
      const std::string_view bound = def.min_value->text();
      if ((numeric && CompareNumbers(text, bound) < 0) || (temporal && text.size() >= bound.size() && text < bound)) {
        Error("value", node.path(), "value is less than permitted minimum value of " + std::string(bound));
      }
    }
    if (def.max_value != nullptr && !def.max_value->IsObject()) {
      const std::string_view bound = def.max_value->text();
      if ((numeric && CompareNumbers(text, bound) > 0) || (temporal && text.substr(0, bound.size()) > bound)) {
        Error("value", node.path(), "value is greater than permitted maximum value of " + std::string(bound));
      }
    }
  }

  // minValueQuantity / maxValueQuantity: compared when the units agree (same system and code).
  void CheckQuantityLimits(const ElementDef& def, const InstanceNode& node) {
    if (node.value() == nullptr || !node.value()->IsObject()) return;
    const json::Value* value = node.value()->Find("value");
    if (value == nullptr) return;
    auto same_unit = [&](const json::Value& bound) {
      return Text(bound.Find("system")) == Text(node.value()->Find("system")) &&
             Text(bound.Find("code")) == Text(node.value()->Find("code"));
    };
    if (def.min_value != nullptr && def.min_value->IsObject()) {
      const json::Value* b = def.min_value->Find("value");
      if (b != nullptr && same_unit(*def.min_value) && CompareNumbers(value->text(), b->text()) < 0) {
        Error("value", node.path(),
              "The value in the instance (" + std::string(value->text()) + ") is less than the specified minimum value (" +
                  std::string(b->text()) + ")");
      }
    }
    if (def.max_value != nullptr && def.max_value->IsObject()) {
      const json::Value* b = def.max_value->Find("value");
      if (b != nullptr && same_unit(*def.max_value) && CompareNumbers(value->text(), b->text()) > 0) {
        Error("value", node.path(),
              "The value in the instance (" + std::string(value->text()) + ") is greater than the specified maximum value (" +
                  std::string(b->text()) + ")");
      }
    }
  }

  // Membership of a coded node (code, Coding, CodeableConcept, Quantity, string, uri).
  Membership CodedMember(const InstanceNode& node, const std::string& value_set) {
    const std::string_view type = node.type_name();
    const Terminology& tx = v_.terminology();
    auto coding_member = [&](const InstanceNode& coding) {
      std::string_view system, code;
      for (const InstanceNode* c : coding.children()) {
        if (c->name() == "system") system = c->primitive_text();
        if (c->name() == "code") code = c->primitive_text();
      }
      if (code.empty()) return Membership::kUnknown;
      if (system.empty()) return Membership::kUnknown;
      return tx.InValueSet(value_set, system, code);
    };
    if (type == "Coding") return coding_member(node);
    if (type == "CodeableConcept") {
      bool unknown = false, any = false;
      for (const InstanceNode* c : node.children()) {
        if (c->name() != "coding") continue;
        any = true;
        Membership m = coding_member(*c);
        if (m == Membership::kYes) return Membership::kYes;
        if (m == Membership::kUnknown) unknown = true;
      }
      if (!any) return Membership::kUnknown;
      return unknown ? Membership::kUnknown : Membership::kNo;
    }
    if (type == "Quantity" || type.empty()) return Membership::kUnknown;
    if (node.has_value() && (type == "code" || type == "string" || type == "uri")) {
      return tx.InValueSet(value_set, "", node.primitive_text());
    }
    return Membership::kUnknown;
  }

  void CheckBinding(const ElementDef& def, const InstanceNode& node) {
    const Binding& b = *def.binding;
    if (b.value_set.empty() || b.strength == Binding::Strength::kPreferred || b.strength == Binding::Strength::kExample) {
      return;
    }
    const std::string_view type = node.type_name();
    if (type != "code" && type != "Coding" && type != "CodeableConcept" && type != "string" && type != "uri") return;
    if (!v_.terminology().KnowsValueSet(b.value_set)) return;
    const Membership m = CodedMember(node, b.value_set);
    if (m != Membership::kNo) return;
    std::string shown = Render(node);
    if (b.strength == Binding::Strength::kRequired) {
      Error("code-invalid", node.path(),
            "The value provided ('" + shown + "') was not found in the value set '" + b.value_set +
                "', and a code is required from this value set");
    } else {
      Warning("code-invalid", node.path(),
              "None of the codings provided are in the value set '" + b.value_set +
                  "', and a coding should come from this value set unless it has no suitable code");
    }
  }

  // A Coding whose system is a code system held completely here must use a defined code.
  void CheckCodes(const InstanceNode& node) {
    if (node.type() == nullptr || node.type() != coding_type_) return;
    std::string_view system, code;
    for (const InstanceNode* c : node.children()) {
      if (c->name() == "system") system = c->primitive_text();
      if (c->name() == "code") code = c->primitive_text();
    }
    if (system.empty() || code.empty()) return;
    if (v_.terminology().InCodeSystem(system, code) == Membership::kNo) {
      Error("code-invalid", node.path(),
            "Unknown code '" + std::string(system) + "#" + std::string(code) + "' in the code system");
    }
  }

  void CheckReference(const ElementDef& def, const InstanceNode& node) {
    std::string_view ref;
    for (const InstanceNode* c : node.children()) {
      if (c->name() == "reference") ref = c->primitive_text();
    }
    if (ref.empty()) return;
    const std::string_view type = ReferencedType(ref, v_.model());
    if (type.empty()) return;
    std::vector<std::string> targets;
    for (const TypeRef& t : def.types) {
      if (t.code != "Reference") continue;
      for (const std::string& tp : t.target_profiles) {
        const Profile* p = v_.profiles().Find(tp);
        std::string target_type = p != nullptr ? p->type : (tp.rfind(kCoreBase, 0) == 0 ? tp.substr(kCoreBase.size()) : "");
        if (!target_type.empty()) targets.push_back(target_type);
      }
    }
    if (targets.empty()) return;
    for (const std::string& t : targets) {
      if (t == type || t == "Resource") return;
    }
    std::string list;
    for (const std::string& t : targets) list += (list.empty() ? "" : ", ") + t;
    Error("structure", node.path(),
          "The type '" + std::string(type) + "' implied by the reference URL " + std::string(ref) +
              " is not a valid Target for this element (must be one of [" + list + "])");
  }

  void CheckConstraints(const ElementDef& def, const InstanceNode& node) {
    if (def.constraints.empty()) return;
    // Pointed at this node at the first constraint FHIRPath evaluates: most nodes have native
    // forms only. (One environment per Run: nothing FHIRPath calls validates on this Run.)
    bool env_ready = false;
    for (const Constraint& c : def.constraints) {
      if (c.compiled == nullptr) continue;
      std::optional<bool> native;
      switch (c.native) {
        case NativeForm::kNone: break;
        case NativeForm::kEle1: native = Ele1Holds(node); break;
        default: native = NativeInvariant(c, node); break;
      }
      if (native) {
        if (*native) continue;
      } else {
        if (!env_ready) {
          env_ready = true;
          fhir::fhirpath::EvalEnv& env = env_;
          env.types = &oracle_;
          env.resource = node.resource();
          // %rootResource: the resource itself, or for a contained resource its container. A
          // Bundle entry's resource is its own root (https://hl7.org/fhir/R4/fhirpath.html#variables).
          const InstanceNode* root = node.resource();
          while (root != nullptr && root->name() == "contained" && root->parent() != nullptr) {
            root = root->parent()->resource();
          }
          env.root_resource = root != nullptr ? root : tree_root_;
          env.resolver = resolver_;
        }
        // The same expression on the same node (a resource's invariants reached through its
        // core definition and each profile) is evaluated once per validation.
        auto [it, fresh] = constraint_results_.try_emplace({c.compiled.get(), &node}, true);
        if (fresh) {
          auto result = fhir::fhirpath::EvaluateBoolean(*c.compiled, node, env_);
          it->second = !result.ok() || !result.value().has_value() || *result.value();
        }
        if (it->second) continue;
      }
      std::string text = "Constraint failed: " + c.key + ": '" + c.human + "'";
      if (c.is_error) {
        Error("invariant", node.path(), std::move(text));
      } else {
        Warning("invariant", node.path(), std::move(text));
      }
    }
  }

  // True for an extension with a relative url ("party"): a part of a complex extension.
  static bool IsPartOfComplexExtension(const InstanceNode& ext) {
    for (const InstanceNode* c : ext.children()) {
      if (c->name() == "url") return c->primitive_text().find(':') == std::string_view::npos;
    }
    return false;
  }

  // Whether an extension may stand where `ext` stands: one of its definition's contexts names
  // the element it extends (by type, ancestor type or definition path) or, for an "extension"
  // context, the extension it is part of. FHIRPath contexts are accepted unchecked.
  // https://hl7.org/fhir/R4/extensibility.html#context
  bool ContextAllows(const Profile& def, const InstanceNode& ext) const {
    if (def.contexts.empty()) return true;
    const InstanceNode* parent = ext.parent();
    if (parent == nullptr) return true;
    for (const auto& [type, expression] : def.contexts) {
      if (type == "fhirpath") return true;
      if (type == "extension") {
        for (const InstanceNode* c : parent->children()) {
          if (c->name() == "url" && c->primitive_text() == expression) return true;
        }
        continue;
      }
      if (expression == "Element" || expression == "Base" || expression == "*") return true;
      const std::string_view parent_type = parent->type_name();
      if (parent_type == expression) return true;
      const fhir::TypeInfo* context_type = v_.model().FindType(expression);
      if (context_type != nullptr && parent->type() != nullptr && parent->type()->IsA(context_type)) return true;
      if (parent->element() != nullptr && parent->element()->path == expression) return true;
      // A context naming a primitive child ("ElementDefinition.type.code") also admits the
      // element that holds it: R4's own snapshots put such extensions on the parent.
      if (parent->element() != nullptr) {
        const std::string& at = parent->element()->path;
        if (expression.size() > at.size() + 1 && expression.compare(0, at.size(), at) == 0 &&
            expression[at.size()] == '.' && expression.find('.', at.size() + 1) == std::string::npos) {
          return true;
        }
      }
    }
    return false;
  }

  // --- extensions ----------------------------------------------------------------------------

  void ValidateExtension(const InstanceNode& ext, bool modifier) {
    std::string_view url;
    for (const InstanceNode* c : ext.children()) {
      if (c->name() == "url") url = c->primitive_text();
    }
    if (url.empty()) return;
    const Profile* def = v_.profiles().Find(url);
    if (def == nullptr) {
      // Cross-version extensions (http://hl7.org/fhir/5.0/StructureDefinition/extension-...) are
      // defined by rule, and the core namespace holds extensions newer than the R4 package:
      // neither can be checked here, but neither is wrong.
      const bool cross_version = url.rfind("http://hl7.org/fhir/", 0) == 0 && url.size() > 24 && url[21] == '.' &&
                                 url.find("/StructureDefinition/extension-") != std::string_view::npos;
      const bool core_namespace = url.rfind(kCoreBase, 0) == 0;
      if (cross_version || core_namespace || IsExampleUrl(url) || url.find("://") == std::string_view::npos) {
        Warning("extension", ext.path(), "The extension " + std::string(url) + " is unknown and was not checked");
        return;
      }
      Error("extension", ext.path(), "The extension " + std::string(url) + " could not be found so is not allowed here");
      return;
    }
    if (def->type != "Extension") {
      Error("extension", ext.path(), "The url " + std::string(url) + " does not identify an extension definition");
      return;
    }
    if (!ContextAllows(*def, ext)) {
      std::string allowed;
      for (const auto& [type, expression] : def->contexts) allowed += (allowed.empty() ? "" : ", ") + expression;
      // R4 published several core extensions with contexts narrower than the specification's
      // own examples use (widened in later releases): outside their context those are warned
      // about; any other extension there is an error.
      Issue(url.rfind(kCoreBase, 0) == 0 ? Severity::kWarning : Severity::kError, "extension", ext.path(),
            "The extension " + std::string(url) + " is not allowed to be used at this point (allowed: " + allowed + ")");
    }
    const Profile* saved = profile_;
    profile_ = def;
    ValidateAgainst(def->root, ext);
    profile_ = saved;
  }

  // --- QuestionnaireResponse ------------------------------------------------------------------

  void CheckQuestionnaireResponse(const InstanceNode& response) {
    questionnaire::Hooks hooks;
    hooks.model = &v_.model();
    hooks.resolve_canonical = [this](std::string_view canonical) { return v_.index().Find(canonical); };
    hooks.code_in_value_set = [this](std::string_view vs, std::string_view system,
                                     std::string_view code) -> std::optional<bool> {
      switch (v_.terminology().InValueSet(vs, system, code)) {
        case Membership::kYes: return true;
        case Membership::kNo: return false;
        case Membership::kUnknown: return std::nullopt;
      }
      return std::nullopt;
    };
    questionnaire::ValidateResponse(*response.value(), hooks, response.path(), sink_);
  }

  // --- Bundle ---------------------------------------------------------------------------------

  void CheckBundle(const InstanceNode& bundle) {
    std::set<std::string> full_urls;
    std::set<std::string> relations;
    for (const InstanceNode* c : bundle.children()) {
      if (c->name() == "link") {
        for (const InstanceNode* r : c->children()) {
          if (r->name() != "relation") continue;
          const std::string rel(r->primitive_text());
          if (!relations.insert(rel).second) {
            Error("invalid", c->path(), "The link relationship type '" + rel + "' can only occur once");
          }
        }
      }
      if (c->name() != "entry") continue;
      std::string_view full_url;
      const InstanceNode* resource = nullptr;
      for (const InstanceNode* e : c->children()) {
        if (e->name() == "fullUrl") full_url = e->primitive_text();
        if (e->name() == "resource") resource = e;
      }
      if (full_url.empty()) continue;
      if (full_url.find(':') == std::string_view::npos) {
        Error("invalid", c->path(), "The fullUrl must be an absolute URL (not '" + std::string(full_url) + "')");
        continue;
      }
      std::string version;
      if (resource != nullptr && resource->value() != nullptr) {
        if (const json::Value* meta = resource->value()->Find("meta")) version = std::string(Text(meta->Find("versionId")));
        const std::string_view id = Text(resource->value()->Find("id"));
        const bool urn = full_url.rfind("urn:", 0) == 0;
        if (!id.empty() && !urn) {
          // Only a RESTful fullUrl ([base]/Type/id) names an id that must agree.
          std::string_view u = full_url;
          if (size_t h = u.find("/_history/"); h != std::string_view::npos) u = u.substr(0, h);
          const size_t last = u.rfind('/');
          const size_t prev = last == std::string_view::npos || last == 0 ? std::string_view::npos : u.rfind('/', last - 1);
          if (prev != std::string_view::npos && u.substr(prev + 1, last - prev - 1) == resource->type_name() &&
              u.substr(last + 1) != id) {
            Error("invalid", c->path(),
                  "Resource ID does not match the ID in the entry full URL ('" + std::string(id) + "' vs '" +
                      std::string(full_url) + "')");
          }
        }
      }
      if (!full_urls.insert(std::string(full_url) + "|" + version).second) {
        Error("invalid", c->path(), "Duplicate fullUrl '" + std::string(full_url) + "' in the Bundle");
      }
    }
  }

  const Validator& v_;
  IssueSink& sink_;
  ModelTypeOracle oracle_;
  fhir::fhirpath::EvalEnv env_;  // CheckConstraints'
  // The model's Coding and Reference types: a node is of one exactly when its type is this.
  const fhir::TypeInfo* coding_type_;
  const fhir::TypeInfo* reference_type_;
  const InstanceNode* tree_root_ = nullptr;
  const fhir::fhirpath::Resolver* resolver_ = nullptr;
  const InstanceNode* current_resource_ = nullptr;
  const Profile* profile_ = nullptr;
  std::set<std::string> seen_;
  // Scratch space of ValidateChildren, one per recursion depth.
  struct ChildBuffers {
    std::vector<const InstanceNode*> items;  // the instance children of one definition
    std::vector<int> position;               // per instance child: its definition, or -1
    std::vector<int> visit;                  // the definitions to look at, ascending
  };
  std::vector<std::unique_ptr<ChildBuffers>> buffers_by_depth_;  // each stays put while deeper levels are added
  // Buffers of finished runs on this thread, taken by the next run (capacity included): a run
  // is one validation, and most of its buffers' allocations were the same as the last one's.
  static std::vector<std::unique_ptr<ChildBuffers>>& SpareBuffers() {
    thread_local std::vector<std::unique_ptr<ChildBuffers>> spare;
    return spare;
  }
  static constexpr size_t kSpareBuffers = 32;
  std::vector<const InstanceNode*> path_current_, path_next_;  // ValuesAtPath's scratch
  std::vector<const InstanceNode*> slice_values_;              // ScratchValues()
  // Whether (expression, node) held, or could not be decided (which is not reported).
  struct PairHash {
    size_t operator()(const std::pair<const void*, const void*>& p) const {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };
  std::unordered_map<std::pair<const void*, const void*>, bool, PairHash> constraint_results_;
  size_t depth_ = 0;
};

}  // namespace

Validator::Validator(std::shared_ptr<const fhir::Model> model, std::unique_ptr<ConformanceIndex> index,
                     std::shared_ptr<const ProfileSet> profiles)
    : model_(std::move(model)),
      index_(std::move(index)),
      profiles_(std::move(profiles)),
      terminology_(std::make_unique<Terminology>(*index_)),
      format_(model_) {
  for (const json::Value* ig : index_->All("ImplementationGuide")) {
    const json::Value* globals = ig->Find("global");
    if (globals == nullptr) continue;
    for (const json::Value& g : globals->items()) {
      global_profiles_[std::string(Text(g.Find("type")))].emplace_back(Text(g.Find("profile")));
    }
  }
}

Result<std::shared_ptr<const Validator>> Validator::Load(const LoadOptions& options, std::vector<std::string>* warnings) {
  auto index = std::make_unique<ConformanceIndex>();
  if (Status s = index->LoadCoreDefinitions(options.r4_dir); !s.ok()) return s;
  auto model = fhir::Model::FromDefinitions(index->All("StructureDefinition"));
  if (!model.ok()) return model.status();
  for (const std::string& dir : options.directories) {
    if (Status s = index->LoadDirectory(dir); !s.ok()) return s;
  }
  for (const std::string& file : options.files) {
    if (Status s = index->LoadFile(file); !s.ok()) return s;
  }
  auto profiles = ProfileSet::Build(*index, *model.value(), warnings);
  auto validator = std::make_shared<Validator>(model.value(), std::move(index), std::move(profiles));
  validator->parse_options_.limits = options.parse_limits;
  return std::shared_ptr<const Validator>(std::move(validator));
}

std::vector<std::string> Validator::GlobalProfiles(std::string_view type) const {
  auto it = global_profiles_.find(std::string(type));
  return it == global_profiles_.end() ? std::vector<std::string>() : it->second;
}

void Validator::Validate(const fhir::Resource& resource, const std::vector<std::string>& profiles,
                         IssueSink& sink) const {
  Run run(*this, sink);
  run.ValidateRoot(resource.root(), profiles);
}

bool Validator::ValidateJson(std::string_view text, const std::vector<std::string>& profiles, IssueSink& sink) const {
  return ValidateJson(text, profiles, sink, parse_options_);
}

bool Validator::ValidateJson(std::string_view text, const std::vector<std::string>& profiles, IssueSink& sink,
                             const fhir::ParseOptions& options) const {
  fhir::Resource resource;
  if (!format_.Parse(text, options, resource, sink)) return false;
  Validate(resource, profiles, sink);
  return !sink.HasErrors();
}

}  // namespace workwell::validation

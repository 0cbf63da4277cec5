#include "adapter/validation/native_invariants.h"

#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace workwell::validation {

NativeForm ClassifyNative(const Constraint& c) {
  static constexpr std::string_view kEle1 = "hasValue() or (children().count() > id.count())";
  static constexpr std::string_view kExt1 = "extension.exists() != value.exists()";
  static constexpr std::string_view kDom6 = "text.`div`.exists()";
  static constexpr std::string_view kRef1 =
      "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";
  static constexpr std::string_view kBdl5 = "resource.exists() or request.exists() or response.exists()";
  static constexpr std::string_view kBdl8 = "fullUrl.exists() implies fullUrl.contains('/_history/').not()";
  static constexpr std::string_view kBdl3 =
      "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = "
      "'history'))";
  static constexpr std::string_view kBdl4 =
      "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or "
      "%resource.type = 'history'))";
  static constexpr std::string_view kBdl7 =
      "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()";
  const std::string_view key = c.key;
  if (key == "ele-1" && c.expression == kEle1) return NativeForm::kEle1;
  if (key == "ext-1" && c.expression == kExt1) return NativeForm::kExt1;
  if (key == "dom-6" && c.expression == kDom6) return NativeForm::kDom6;
  if (key == "ref-1" && c.expression == kRef1) return NativeForm::kRef1;
  if (key == "bdl-5" && c.expression == kBdl5) return NativeForm::kBdl5;
  if (key == "bdl-8" && c.expression == kBdl8) return NativeForm::kBdl8;
  if (key == "bdl-3" && c.expression == kBdl3) return NativeForm::kBdl3;
  if (key == "bdl-4" && c.expression == kBdl4) return NativeForm::kBdl4;
  if (key == "bdl-7" && c.expression == kBdl7) return NativeForm::kBdl7;
  if (key.size() == 5 && key.rfind("dom-", 0) == 0 && key[4] >= '2' && key[4] <= '5') return NativeForm::kDomContained;
  return NativeForm::kNone;
}

namespace {

// The only child of `node` called `name`: nullptr when there is none; `*several` set when there
// are more.
const InstanceNode* OnlyChild(const InstanceNode& node, std::string_view name, bool* several) {
  const InstanceNode* found = nullptr;
  for (const InstanceNode* child : node.children()) {
    if (child->name() != name) continue;
    if (found != nullptr) *several = true;
    found = child;
  }
  return found;
}

// The text of a single string-valued child, or nullopt (absent, repeated, without a value or
// not a string): the shape in which `name = 'literal'` is a plain text comparison.
std::optional<std::string_view> OnlyText(const InstanceNode& node, std::string_view name) {
  bool several = false;
  const InstanceNode* child = OnlyChild(node, name, &several);
  if (child == nullptr || several || child->primitive_kind() != fhir::fhirpath::PrimitiveKind::kString ||
      !child->has_value()) {
    return std::nullopt;
  }
  return child->primitive_text();
}

// bdl-3 / bdl-4 on a Bundle (%resource being the Bundle itself): every entry has a request
// (response) exactly when the Bundle's type is one of `types`. Without a type (or with one
// that is not a plain string) FHIRPath answers.
std::optional<bool> EntriesMatchType(const InstanceNode& bundle, std::string_view part,
                                     std::initializer_list<std::string_view> types) {
  if (bundle.type_name() != "Bundle" || bundle.resource() != &bundle) return std::nullopt;
  const std::optional<std::string_view> type = OnlyText(bundle, "type");
  if (!type) return std::nullopt;
  bool want = false;
  for (std::string_view t : types) want = want || *type == t;
  for (const InstanceNode* entry : bundle.children()) {
    if (entry->name() != "entry") continue;
    bool has = false;
    for (const InstanceNode* c : entry->children()) has = has || c->name() == part;
    if (has != want) return false;
  }
  return true;
}

// Whether a.first + a.second == b.first + b.second, without building either: equal pairs join
// equally, but so may unequal ones ("ab" + "c" and "a" + "bc").
bool JoinedEqual(const std::pair<std::string_view, std::string_view>& a,
                 const std::pair<std::string_view, std::string_view>& b) {
  const size_t size = a.first.size() + a.second.size();
  if (size != b.first.size() + b.second.size()) return false;
  if (a.first.size() == b.first.size()) return a.first == b.first && a.second == b.second;
  const auto at = [](const std::pair<std::string_view, std::string_view>& p, size_t i) {
    return i < p.first.size() ? p.first[i] : p.second[i - p.first.size()];
  };
  for (size_t i = 0; i < size; ++i) {
    if (at(a, i) != at(b, i)) return false;
  }
  return true;
}

// bdl-7 on a Bundle: unless it is a history, no two entries share fullUrl and versionId (the
// texts joined, a missing one as ''). Shapes outside single string values go to FHIRPath.
std::optional<bool> DistinctFullUrls(const InstanceNode& bundle) {
  bool several = false;
  const InstanceNode* type = OnlyChild(bundle, "type", &several);
  if (several) return std::nullopt;
  if (type != nullptr) {
    if (type->primitive_kind() != fhir::fhirpath::PrimitiveKind::kString || !type->has_value()) return std::nullopt;
    if (type->primitive_text() == "history") return true;
  }
  std::vector<std::pair<std::string_view, std::string_view>> keys;
  for (const InstanceNode* entry : bundle.children()) {
    if (entry->name() != "entry") continue;
    const InstanceNode* full_url = OnlyChild(*entry, "fullUrl", &several);
    if (full_url == nullptr) continue;
    std::string_view version;
    if (const InstanceNode* resource = OnlyChild(*entry, "resource", &several)) {
      if (const InstanceNode* meta = OnlyChild(*resource, "meta", &several)) {
        if (const InstanceNode* v = OnlyChild(*meta, "versionId", &several)) {
          if (v->primitive_kind() != fhir::fhirpath::PrimitiveKind::kString) return std::nullopt;
          version = v->primitive_text();
        }
      }
    }
    if (several || full_url->primitive_kind() != fhir::fhirpath::PrimitiveKind::kString) return std::nullopt;
    keys.emplace_back(full_url->primitive_text(), version);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      if (JoinedEqual(keys[i], keys[j])) {
        // Duplicates: true only when the type is there (false `or` false); an absent type makes
        // the result empty, which FHIRPath reports as such.
        if (type == nullptr) return std::nullopt;
        return false;
      }
    }
  }
  return true;
}

}  // namespace

std::optional<bool> NativeInvariant(const Constraint& c, const InstanceNode& node) {
  const NativeForm form = c.native != NativeForm::kUnclassified ? c.native : ClassifyNative(c);
  if (form == NativeForm::kNone) return std::nullopt;
  if (form == NativeForm::kEle1) return Ele1Holds(node);
  if (form == NativeForm::kExt1) {
    bool has_extension = false, has_value = false;
    for (const InstanceNode* child : node.children()) {
      if (child->name() == "extension") has_extension = true;
      if (child->name() == "value") has_value = true;
    }
    return has_extension != has_value;
  }
  if (form == NativeForm::kDom6) {
    for (const InstanceNode* child : node.children()) {
      if (child->name() != "text") continue;
      for (const InstanceNode* t : child->children()) {
        if (t->name() == "div") return true;
      }
    }
    return false;
  }
  if (form == NativeForm::kRef1 || form == NativeForm::kBdl8) {
    // ref-1: holds unless the reference is local ("#..."), which needs the contained ids, so
    // FHIRPath answers that. bdl-8: holds without a fullUrl, else unless it has "/_history/".
    const std::string_view name = form == NativeForm::kRef1 ? "reference" : "fullUrl";
    const InstanceNode* value = nullptr;
    for (const InstanceNode* child : node.children()) {
      if (child->name() != name) continue;
      if (value != nullptr) return std::nullopt;  // several: not a shape these answer
      value = child;
    }
    if (value == nullptr) return true;
    if (value->primitive_kind() != fhir::fhirpath::PrimitiveKind::kString || !value->has_value()) return std::nullopt;
    const std::string_view text = value->primitive_text();
    if (form == NativeForm::kBdl8) return text.find("/_history/") == std::string_view::npos;
    if (text.substr(0, 1) != "#") return true;
    return std::nullopt;
  }
  if (form == NativeForm::kBdl3) return EntriesMatchType(node, "request", {"batch", "transaction", "history"});
  if (form == NativeForm::kBdl4) {
    return EntriesMatchType(node, "response", {"batch-response", "transaction-response", "history"});
  }
  if (form == NativeForm::kBdl7) {
    if (node.type_name() != "Bundle") return std::nullopt;
    return DistinctFullUrls(node);
  }
  if (form == NativeForm::kBdl5) {
    for (const InstanceNode* child : node.children()) {
      const std::string_view n = child->name();
      if (n == "resource" || n == "request" || n == "response") return true;
    }
    return false;
  }
  if (form == NativeForm::kDomContained) {
    // dom-2..dom-5 constrain contained resources only: vacuously true without any.
    for (const InstanceNode* child : node.children()) {
      if (child->name() == "contained") return std::nullopt;
    }
    return true;
  }
  return std::nullopt;
}

}  // namespace workwell::validation

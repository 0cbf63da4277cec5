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
  static constexpr std::string_view kBdl1 = "total.empty() or (type = 'searchset') or (type = 'history')";
  static constexpr std::string_view kBdl2 = "entry.search.empty() or (type = 'searchset')";
  static constexpr std::string_view kBdl9 =
      "type = 'document' implies (identifier.system.exists() and identifier.value.exists())";
  static constexpr std::string_view kBdl10 = "type = 'document' implies (timestamp.hasValue())";
  static constexpr std::string_view kBdl11 = "type = 'document' implies entry.first().resource.is(Composition)";
  static constexpr std::string_view kBdl12 = "type = 'message' implies entry.first().resource.is(MessageHeader)";
  static constexpr std::string_view kObs6 = "dataAbsentReason.empty() or value.empty()";
  static constexpr std::string_view kObs7 =
      "value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()";
  static constexpr std::string_view kOrg1 = "(identifier.count() + name.count()) > 0";
  static constexpr std::string_view kOrg2 = "where(use = 'home').empty()";
  static constexpr std::string_view kPrr1 = "orderDetail.empty() or code.exists()";
  static constexpr std::string_view kCon3 =
      "clinicalStatus.exists() or verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/"
      "condition-ver-status' and code = 'entered-in-error').exists() or category.select($this='problem-list-item')"
      ".empty()";
  static constexpr std::string_view kCon4 =
      "abatement.empty() or clinicalStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/"
      "condition-clinical' and (code='resolved' or code='remission' or code='inactive')).exists()";
  static constexpr std::string_view kCon5 =
      "verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and "
      "code='entered-in-error').empty() or clinicalStatus.empty()";
  const std::string_view key = c.key;
  if (key == "con-3" && c.expression == kCon3) return NativeForm::kCon3;
  if (key == "con-4" && c.expression == kCon4) return NativeForm::kCon4;
  if (key == "con-5" && c.expression == kCon5) return NativeForm::kCon5;
  if (key == "bdl-1" && c.expression == kBdl1) return NativeForm::kBdl1;
  if (key == "bdl-2" && c.expression == kBdl2) return NativeForm::kBdl2;
  if ((key == "bdl-9" && c.expression == kBdl9) || (key == "bdl-10" && c.expression == kBdl10) ||
      (key == "bdl-11" && c.expression == kBdl11)) {
    return NativeForm::kBdlDocument;
  }
  if (key == "bdl-12" && c.expression == kBdl12) return NativeForm::kBdlMessage;
  if (key == "obs-6" && c.expression == kObs6) return NativeForm::kObs6;
  if (key == "obs-7" && c.expression == kObs7) return NativeForm::kObs7;
  if (key == "org-1" && c.expression == kOrg1) return NativeForm::kOrg1;
  if (key == "org-2" && c.expression == kOrg2) return NativeForm::kOrg2;
  if (key == "prr-1" && c.expression == kPrr1) return NativeForm::kPrr1;
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

bool HasChild(const InstanceNode& node, std::string_view name) {
  for (const InstanceNode* child : node.children()) {
    if (child->name() == name) return true;
  }
  return false;
}

// `name = 'literal'` on `node`: empty (nullopt inside) without any child `name`, else whether the
// single string-valued child's text is `literal`; nullopt outside that shape (FHIRPath answers).
std::optional<std::optional<bool>> TextIs(const InstanceNode& node, std::string_view name, std::string_view literal) {
  if (!HasChild(node, name)) return std::optional<bool>();
  const std::optional<std::string_view> text = OnlyText(node, name);
  if (!text) return std::nullopt;
  return std::optional<bool>(*text == literal);
}

// A Coding whose children are all string-valued primitives without children of their own: two
// of these are equal (=) exactly when their children have the same names and texts in order.
bool IsPlainCoding(const InstanceNode& coding) {
  if (coding.primitive_kind() != fhir::fhirpath::PrimitiveKind::kNone) return false;
  for (const InstanceNode* c : coding.children()) {
    if (c->primitive_kind() != fhir::fhirpath::PrimitiveKind::kString || !c->has_value() || !c->children().empty()) {
      return false;
    }
  }
  return true;
}

bool PlainCodingsEqual(const InstanceNode& a, const InstanceNode& b) {
  if (&a == &b) return true;
  const auto& ka = a.children();
  const auto& kb = b.children();
  if (ka.size() != kb.size()) return false;
  for (size_t i = 0; i < ka.size(); ++i) {
    if (ka[i]->name() != kb[i]->name() || ka[i]->primitive_text() != kb[i]->primitive_text()) return false;
  }
  return true;
}

// The `coding` children of every `code` child of `node`, or false when one is not plain.
bool PlainCodings(const InstanceNode& node, std::vector<const InstanceNode*>& out) {
  for (const InstanceNode* code : node.children()) {
    if (code->name() != "code") continue;
    for (const InstanceNode* coding : code->children()) {
      if (coding->name() != "coding") continue;
      if (!IsPlainCoding(*coding)) return false;
      out.push_back(coding);
    }
  }
  return true;
}

// obs-7: without a value it holds; otherwise no component's code may share a coding with the
// resource's code. Codings outside the plain shape go to FHIRPath.
std::optional<bool> ComponentCodesDiffer(const InstanceNode& node) {
  if (!HasChild(node, "value") || !HasChild(node, "component")) return true;
  const InstanceNode* resource = node.resource();
  if (resource == nullptr) return std::nullopt;
  std::vector<const InstanceNode*> own;
  if (!PlainCodings(*resource, own)) return std::nullopt;
  std::vector<const InstanceNode*> theirs;
  for (const InstanceNode* component : node.children()) {
    if (component->name() == "component" && !PlainCodings(*component, theirs)) return std::nullopt;
  }
  for (const InstanceNode* a : theirs) {
    for (const InstanceNode* b : own) {
      if (PlainCodingsEqual(*a, *b)) return false;
    }
  }
  return true;
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
  if (form == NativeForm::kBdl1 || form == NativeForm::kBdl2) {
    // bdl-1: a total only on a searchset or history; bdl-2: entry.search only on a searchset.
    bool constrained = false;
    if (form == NativeForm::kBdl1) {
      constrained = HasChild(node, "total");
    } else {
      for (const InstanceNode* entry : node.children()) {
        if (entry->name() == "entry" && HasChild(*entry, "search")) constrained = true;
      }
    }
    if (!constrained) return true;
    const auto searchset = TextIs(node, "type", "searchset");
    if (!searchset) return std::nullopt;
    if (!searchset->has_value()) return true;  // `false or {}` is empty, which passes
    if (**searchset) return true;
    if (form == NativeForm::kBdl2) return false;
    return *TextIs(node, "type", "history") == std::optional<bool>(true);
  }
  if (form == NativeForm::kBdlDocument || form == NativeForm::kBdlMessage) {
    // `type = '...' implies X` holds when the type is absent or another one; X goes to FHIRPath.
    const auto is = TextIs(node, "type", form == NativeForm::kBdlDocument ? "document" : "message");
    if (!is || (is->has_value() && **is)) return std::nullopt;
    return true;
  }
  if (form == NativeForm::kObs6) return !(HasChild(node, "dataAbsentReason") && HasChild(node, "value"));
  if (form == NativeForm::kObs7) return ComponentCodesDiffer(node);
  if (form == NativeForm::kOrg1) return HasChild(node, "identifier") || HasChild(node, "name");
  if (form == NativeForm::kOrg2) {
    const auto home = TextIs(node, "use", "home");
    if (!home) return std::nullopt;
    return !home->value_or(false);
  }
  if (form == NativeForm::kPrr1) return !HasChild(node, "orderDetail") || HasChild(node, "code");
  // con-3..5 hold outright in their common shapes (a clinical status; no abatement; no
  // verification status or no clinical status); the coding tests go to FHIRPath.
  if (form == NativeForm::kCon3) return HasChild(node, "clinicalStatus") ? std::optional<bool>(true) : std::nullopt;
  if (form == NativeForm::kCon4) return !HasChild(node, "abatement") ? std::optional<bool>(true) : std::nullopt;
  if (form == NativeForm::kCon5) {
    if (!HasChild(node, "verificationStatus") || !HasChild(node, "clinicalStatus")) return true;
    return std::nullopt;
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

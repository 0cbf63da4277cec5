#include "adapter/validation/native_invariants.h"

namespace workwell::validation {

NativeForm ClassifyNative(const Constraint& c) {
  static constexpr std::string_view kEle1 = "hasValue() or (children().count() > id.count())";
  static constexpr std::string_view kExt1 = "extension.exists() != value.exists()";
  static constexpr std::string_view kDom6 = "text.`div`.exists()";
  static constexpr std::string_view kRef1 =
      "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))";
  static constexpr std::string_view kBdl5 = "resource.exists() or request.exists() or response.exists()";
  static constexpr std::string_view kBdl8 = "fullUrl.exists() implies fullUrl.contains('/_history/').not()";
  const std::string_view key = c.key;
  if (key == "ele-1" && c.expression == kEle1) return NativeForm::kEle1;
  if (key == "ext-1" && c.expression == kExt1) return NativeForm::kExt1;
  if (key == "dom-6" && c.expression == kDom6) return NativeForm::kDom6;
  if (key == "ref-1" && c.expression == kRef1) return NativeForm::kRef1;
  if (key == "bdl-5" && c.expression == kBdl5) return NativeForm::kBdl5;
  if (key == "bdl-8" && c.expression == kBdl8) return NativeForm::kBdl8;
  if (key.size() == 5 && key.rfind("dom-", 0) == 0 && key[4] >= '2' && key[4] <= '5') return NativeForm::kDomContained;
  return NativeForm::kNone;
}

std::optional<bool> NativeInvariant(const Constraint& c, const InstanceNode& node) {
  const NativeForm form = c.native != NativeForm::kUnclassified ? c.native : ClassifyNative(c);
  if (form == NativeForm::kNone) return std::nullopt;
  if (form == NativeForm::kEle1) {
    if (node.has_value()) return true;
    for (const InstanceNode* child : node.children()) {
      if (child->name() != "id") return true;
    }
    return false;
  }
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

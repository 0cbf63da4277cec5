#include "adapter/validation/native_invariants.h"

namespace workwell::validation {

NativeForm ClassifyNative(const Constraint& c) {
  static constexpr std::string_view kEle1 = "hasValue() or (children().count() > id.count())";
  static constexpr std::string_view kExt1 = "extension.exists() != value.exists()";
  static constexpr std::string_view kDom6 = "text.`div`.exists()";
  const std::string_view key = c.key;
  if (key == "ele-1" && c.expression == kEle1) return NativeForm::kEle1;
  if (key == "ext-1" && c.expression == kExt1) return NativeForm::kExt1;
  if (key == "dom-6" && c.expression == kDom6) return NativeForm::kDom6;
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

#pragma once
// StructureDefinitions compiled into element trees. A core definition is read from its
// snapshot; a constraining profile (derivation = constraint) gets its snapshot generated from
// its base and differential, so profiles that ship without a snapshot (UK Core, most IGs) work.
// https://hl7.org/fhir/R4/profiling.html and https://hl7.org/fhir/R4/elementdefinition.html

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/fhir/fhirpath/expression.h"
#include "adapter/fhir/model.h"
#include "adapter/validation/conformance.h"

namespace workwell::validation {

struct TypeRef {
  std::string code;                          // "Quantity", "Reference", "Extension"
  std::vector<std::string> profiles;         // type profiles (e.g. an extension definition)
  std::vector<std::string> target_profiles;  // for Reference/canonical
  // Worked out from `code` once the profile set is compiled (ProfileSet::Build), so that the
  // type check does not compare it against these names on every node:
  bool generic = false;        // System.*, Resource, DomainResource, BackboneElement or Element
  bool resource_code = false;  // Resource or DomainResource
  const fhir::TypeInfo* type_info = nullptr;  // the model's type named `code`, if any
};

// Which native form (native_invariants.h) answers a constraint; worked out once when profiles
// are compiled, so that validation does not compare expression texts on every node.
enum class NativeForm : uint8_t {
  kUnclassified, kNone, kEle1, kExt1, kDom6, kDomContained, kRef1, kBdl3, kBdl4, kBdl5, kBdl7, kBdl8,
  kBdl1, kBdl2, kBdlDocument, kBdlMessage, kObs6, kObs7, kOrg1, kOrg2, kPrr1, kCon3, kCon4, kCon5
};

struct Constraint {
  std::string key;       // "ele-1"
  bool is_error = true;  // severity error; false = warning
  std::string human;
  std::string expression;
  std::string source;    // the StructureDefinition that declared it
  std::shared_ptr<const fhir::fhirpath::Expression> compiled;  // null when it failed to compile
  NativeForm native = NativeForm::kUnclassified;  // kUnclassified: classified on use
};

struct Discriminator {
  enum class Type { kValue, kPattern, kType, kProfile, kExists };
  Type type = Type::kValue;
  std::string path;  // "url", "code.coding.system", "$this", "resolve()"
};

struct Slicing {
  std::vector<Discriminator> discriminators;
  bool ordered = false;
  enum class Rules { kOpen, kClosed, kOpenAtEnd } rules = Rules::kOpen;
};

struct Binding {
  enum class Strength { kRequired, kExtensible, kPreferred, kExample } strength = Strength::kExample;
  std::string value_set;
};

// An open-addressing table from a child's name to its position among an ElementDef's
// children, so that the structural walk does not compare a name against every child. Filled
// once the profile set is compiled (ProfileSet::Build); holds positions only, so copies stay
// valid. Unusable (ready() false) when two children share a name.
class ChildLookup {
 public:
  // Fills the table for `names` (the children in order); a repeated name leaves it unusable.
  void Build(const std::vector<std::string_view>& names);
  bool ready() const { return ready_; }
  // Calls `matches(position)` for each candidate position of `name` until it returns true;
  // returns that position, or -1. Requires ready().
  template <typename Matches>
  int Find(std::string_view name, Matches matches) const {
    if (slots_.empty()) return -1;
    for (uint32_t h = Hash(name) & mask_;; h = (h + 1) & mask_) {
      const int position = slots_[h];
      if (position < 0) return -1;
      if (matches(position)) return position;
    }
  }

 private:
  static uint32_t Hash(std::string_view s) { return fhir::ShortNameHash(s); }
  std::vector<int> slots_;  // a child position, or -1 for an empty slot
  uint32_t mask_ = 0;
  bool ready_ = false;
};

// One element of a compiled profile, with its children and slices.
struct ElementDef {
  std::string id;          // "Patient.identifier:nhsNumber.system"
  std::string path;        // "Patient.identifier.system"
  std::string name;        // last path segment without "[x]"
  bool is_choice = false;
  std::string slice_name;  // set on slices
  uint32_t min = 0;
  uint32_t max = fhir::ElementInfo::kUnbounded;
  std::vector<TypeRef> types;
  const json::Value* fixed = nullptr;    // fixed[x] value
  const json::Value* pattern = nullptr;  // pattern[x] value
  std::string fixed_type;                // the [x] suffix type of fixed/pattern ("Coding")
  const json::Value* min_value = nullptr;
  const json::Value* max_value = nullptr;
  std::string min_value_type, max_value_type;
  int max_length = 0;
  std::optional<Binding> binding;
  std::vector<Constraint> constraints;
  std::optional<Slicing> slicing;
  std::string content_reference;  // "#Questionnaire.item"
  std::vector<ElementDef> children;
  std::vector<ElementDef> slices;
  ChildLookup child_lookup;  // over `children`; filled by ProfileSet::Build
  // Set with child_lookup (`indexed` then true): `name` is "extension" or "modifierExtension",
  // and each TypeRef's flags.
  bool indexed = false;
  bool is_extension = false;
  // Positions of the children that must be checked even when the instance has none of them
  // (min > 0, or sliced: a slice may be required); filled with child_lookup.
  std::vector<int> checked_when_absent;

  const ElementDef* FindChild(std::string_view child_name) const;
  // The position in `children` of the child named `child_name`, or -1. Requires
  // child_lookup.ready().
  int ChildPosition(std::string_view child_name) const {
    return child_lookup.Find(child_name, [&](int position) {
      const std::string& n = children[static_cast<size_t>(position)].name;
      return n.size() == child_name.size() && std::string_view(n) == child_name;
    });
  }
};

// A compiled StructureDefinition.
struct Profile {
  std::string url;
  std::string version;
  std::string name;
  std::string type;  // the constrained type: "Patient", "Extension", "Quantity"
  bool is_constraint = false;
  ElementDef root;
  // Extension definitions: where the extension may be used (context expressions).
  std::vector<std::pair<std::string, std::string>> contexts;  // {type, expression}
};

// Every compiled profile, by canonical URL. Built once; then immutable and safe to share.
class ProfileSet {
 public:
  // Compiles every StructureDefinition in `index`. Problems with individual definitions are
  // collected in `warnings` (the definition is skipped), never fatal.
  static std::shared_ptr<const ProfileSet> Build(const ConformanceIndex& index, const fhir::Model& model,
                                                 std::vector<std::string>* warnings);

  // The profile with canonical `url` (optionally "|version"), or nullptr.
  const Profile* Find(std::string_view url) const;
  // The core definition of a type or resource ("Patient", "Quantity").
  const Profile* Core(std::string_view type_name) const;
  // The same for a type of the model the set was built with, without hashing its name.
  const Profile* Core(const fhir::TypeInfo& type) const;
  size_t size() const { return profiles_.size(); }

 private:
  friend class ProfileCompiler;
  std::unordered_map<std::string, std::unique_ptr<Profile>, fhir::StringHash, std::equal_to<>> profiles_;
  std::unordered_map<std::string, const Profile*, fhir::StringHash, std::equal_to<>> by_version_;
  std::unordered_map<std::string, const Profile*, fhir::StringHash, std::equal_to<>> core_;  // by type name
  // Core(TypeInfo)'s open-addressing table (looked up on every element: a probe or two instead of
  // std::unordered_map's modulo and node chase); empty slots have a null type.
  std::vector<std::pair<const fhir::TypeInfo*, const Profile*>> core_slots_;
  size_t core_mask_ = 0;
  static size_t SlotOf(const fhir::TypeInfo* type) {
    const auto p = reinterpret_cast<uintptr_t>(type);
    return static_cast<size_t>((p >> 4) ^ (p >> 13));
  }
};

}  // namespace workwell::validation

#pragma once
// The R4 type model: every resource, complex and primitive type with its elements in the
// specification's order, built once from the official StructureDefinition snapshots
// (profiles-types.json, profiles-resources.json). Immutable after loading; share freely across
// threads through std::shared_ptr<const Model>.

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/fhir/primitives.h"

namespace workwell::fhir {

struct TypeInfo;

// A cheap hash of an element name for small open-addressing tables (a type's JSON names, a
// profile element's children): the length and four sampled characters, mixed. Names that share
// those collide and are told apart by the table's comparison.
inline uint32_t ShortNameHash(std::string_view s) {
  if (s.empty()) return 0;
  const auto at = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  uint32_t h = static_cast<uint32_t>(s.size()) * 0x9E3779B1u;
  h ^= at(0) * 0x85EBCA77u;
  h ^= at(s.size() - 1) * 0xC2B2AE3Du;
  h ^= at(s.size() / 2) * 0x27D4EB2Fu;
  h ^= at(s.size() / 4) * 0x165667B1u;
  return h ^ (h >> 15);
}

// One child element of a type, e.g. Patient.name or Observation.value[x].
struct ElementInfo {
  std::string name;  // without "[x]": "name", "value"
  std::string path;  // as in the definition: "Observation.value[x]"
  int index = 0;     // position among the type's elements (the serialisation order)
  bool is_choice = false;
  bool is_array = false;  // max is not "0" or "1"
  uint32_t min = 0;
  uint32_t max = 1;  // kUnbounded for "*"
  std::vector<const TypeInfo*> types;  // one, or each allowed type of a choice
  bool is_modifier = false;
  bool is_summary = false;
  static constexpr uint32_t kUnbounded = 0xFFFFFFFFu;
};

// The element a JSON property name stands for, with the type that name selects
// ("valueQuantity" selects Quantity of Observation.value[x]).
struct JsonBinding {
  const ElementInfo* element = nullptr;
  const TypeInfo* type = nullptr;
};

// Hash and equality that let maps keyed by std::string be searched with a string_view. The keys
// are mostly canonical URLs of 40-90 bytes sharing long prefixes, looked up on every element: the
// hash takes eight bytes per multiply (std::hash's Murmur mix costs about three times as much).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
    const char* p = s.data();
    size_t n = s.size();
    uint64_t h = n * kMul;
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * kMul;
      h ^= h >> 29;
    }
    if (n > 0) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = (h ^ w) * kMul;
    }
    h ^= h >> 32;
    h *= kMul;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct TypeInfo {
  enum class Kind { kPrimitive, kComplex, kResource, kBackbone };
  std::string name;  // "Patient", "HumanName", "string"; backbones by path: "Patient.contact"
  Kind kind = Kind::kComplex;
  bool is_abstract = false;
  const TypeInfo* base = nullptr;  // Patient -> DomainResource -> Resource
  std::string url;                 // canonical URL of the defining StructureDefinition
  // Set for primitives: the lexical rules and JSON shape. The pseudo-types behind
  // System.String elements (Element.id, Extension.url, Resource.id) cannot carry extensions.
  std::optional<PrimitiveType> primitive;
  bool allows_extensions = true;
  std::vector<ElementInfo> elements;

  // The element and type that JSON property `json_name` denotes, or nullptr.
  const JsonBinding* FindJson(std::string_view json_name) const;
  const ElementInfo* FindElement(std::string_view name) const;
  bool IsResource() const { return kind == Kind::kResource; }
  bool IsPrimitive() const { return kind == Kind::kPrimitive; }
  // True when this type is `other` or derives from it (Age is a Quantity; Patient is a Resource).
  bool IsA(const TypeInfo* other) const;

  std::unordered_map<std::string, JsonBinding, StringHash, std::equal_to<>> json_names;
  // Builds FindJson's table from json_names; call again whenever json_names changes.
  void IndexJsonNames();

 private:
  // FindJson's open-addressing table over json_names, hashed on a few characters of the name
  // (cheaper than hashing all of it on every JSON property of every resource).
  std::vector<const std::pair<const std::string, JsonBinding>*> json_slots_;
  uint32_t json_mask_ = 0;
};

class Model {
 public:
  // Loads the model from the directory holding profiles-types.json and profiles-resources.json.
  static common::Result<std::shared_ptr<const Model>> LoadFromDirectory(const std::string& r4_dir);
  // Builds the model from already-parsed core StructureDefinitions (others are ignored: only
  // definitions under http://hl7.org/fhir/StructureDefinition/ define R4 types).
  static common::Result<std::shared_ptr<const Model>> FromDefinitions(const std::vector<const json::Value*>& sds);
  // Loads the model from the directory named by $WORKWELL_FHIR_DIR (its r4/ folder) or, failing
  // that, the build's default location.
  static common::Result<std::shared_ptr<const Model>> LoadDefault();
  // The default definitions directory (…/r4) as LoadDefault resolves it.
  static std::string DefaultDirectory();

  // Any type by name: "Patient", "string", "HumanName", "Patient.contact".
  const TypeInfo* FindType(std::string_view name) const;
  // A concrete (non-abstract) resource type by name, or nullptr.
  const TypeInfo* FindResource(std::string_view name) const;
  const TypeInfo* resource_base() const { return resource_; }
  std::vector<std::string> ResourceNames() const;
  size_t type_count() const { return types_.size(); }

 private:
  Model() = default;
  std::unordered_map<std::string, std::unique_ptr<TypeInfo>, StringHash, std::equal_to<>> types_;
  const TypeInfo* resource_ = nullptr;
  friend class ModelBuilder;
};

}  // namespace workwell::fhir

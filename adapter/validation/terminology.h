#pragma once
// Local terminology: code systems and value sets that can be expanded from the loaded
// resources. Codes of systems that cannot be checked offline (SNOMED CT, LOINC, UCUM, ...) are
// "unknown", never wrong. Expansions are computed on first use and cached; thread-safe.
// https://hl7.org/fhir/R4/valueset.html#compositions

#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapter/fhir/model.h"
#include "adapter/validation/conformance.h"

namespace workwell::validation {

enum class Membership { kYes, kNo, kUnknown };

class Terminology {
 public:
  explicit Terminology(const ConformanceIndex& index) : index_(index) {}

  // Is system|code in the value set? kUnknown when the value set (or the part of it that
  // could hold the code) cannot be expanded locally. An empty `system` matches any system
  // of the value set (for plain `code` elements).
  Membership InValueSet(std::string_view value_set_url, std::string_view system, std::string_view code) const;

  // Whether `code` is defined by the code system `system`: kUnknown for systems not held
  // completely here.
  Membership InCodeSystem(std::string_view system, std::string_view code) const;

  // The display of a code in a locally held code system, if any.
  std::optional<std::string> Display(std::string_view system, std::string_view code) const;

  // True when the value set is known (loaded), whether or not it can be expanded.
  bool KnowsValueSet(std::string_view url) const;

 private:
  struct CodeSystemInfo {
    bool complete = false;
    std::unordered_map<std::string, std::string, fhir::StringHash, std::equal_to<>> display;  // code -> display
    std::unordered_map<std::string, std::vector<std::string>> children;  // code -> child codes
  };
  struct Expansion {
    // system -> codes; a system mapped to nullopt means "every code of that system" (used
    // only for systems not held completely, making membership unknown).
    std::unordered_map<std::string, std::optional<std::set<std::string, std::less<>>>, fhir::StringHash, std::equal_to<>>
        systems;
    bool complete = true;  // false when part of the definition could not be expanded
  };

  const CodeSystemInfo* CodeSystem(std::string_view url) const;
  const Expansion* Expand(std::string_view url, int depth) const;
  void Include(const json::Value& include, Expansion& out, bool exclude, int depth) const;

  const ConformanceIndex& index_;
  mutable std::mutex mu_;
  // Keyed for lookups by string_view, so that a query does not copy the URL it asks about.
  mutable std::unordered_map<std::string, std::unique_ptr<CodeSystemInfo>, fhir::StringHash, std::equal_to<>>
      code_systems_;
  mutable std::unordered_map<std::string, std::unique_ptr<Expansion>, fhir::StringHash, std::equal_to<>> expansions_;
};

}  // namespace workwell::validation

#pragma once
// Code translation through FHIR ConceptMap resources (https://hl7.org/fhir/R4/conceptmap.html),
// compiled once into lookup tables. Codes of a group without a source system are vendor strings:
// they are matched after trimming, lower-casing and collapsing inner whitespace, as the
// ConceptMaps in fhir-profiles/workwell describe. Immutable after building; thread-safe reads.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"

namespace workwell::mapping {

// The target of one translation.
struct ConceptTarget {
  std::string system;
  std::string code;
  std::string display;
};

// One ConceptMap compiled.
class ConceptMapTable {
 public:
  // Compiles `concept_map` (a ConceptMap resource). Targets with equivalence unmatched or
  // disjoint are left out.
  static common::Result<ConceptMapTable> Build(const json::Value& concept_map);

  // Translates `code` from the group whose source is `source_system` ("" for the group without a
  // source, matched loosely). A code that is already one of the map's target codes translates to
  // itself (senders that already use the target codes need no entry). Nullopt when the map has
  // no target for it.
  std::optional<ConceptTarget> Translate(std::string_view source_system, std::string_view code) const;
  // True when the map has a group for `source_system`.
  bool HasSource(std::string_view source_system) const;
  const std::string& url() const { return url_; }
  const std::string& version() const { return version_; }

 private:
  std::string url_;
  std::string version_;
  // (source system, code) -> target
  std::map<std::pair<std::string, std::string>, ConceptTarget, std::less<>> entries_;
  std::vector<std::string> sources_;
  std::map<std::string, ConceptTarget, std::less<>> targets_;  // target code -> itself
};

// The ConceptMaps known to the engine, by canonical URL.
class ConceptMapRegistry {
 public:
  // Compiles every ConceptMap in `maps`.
  static common::Result<ConceptMapRegistry> Build(const std::vector<const json::Value*>& maps);
  // The map with canonical `url`, or nullptr.
  const ConceptMapTable* Find(std::string_view url) const;

 private:
  std::map<std::string, std::shared_ptr<const ConceptMapTable>, std::less<>> by_url_;
};

// The key a vendor string is matched by: trimmed, lower-case, inner whitespace collapsed.
std::string LooseCode(std::string_view code);

}  // namespace workwell::mapping

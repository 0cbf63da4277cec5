#pragma once
// A compiled mapping file (mappings/<name>.map.json): the declarative rules that turn one kind of
// source record into FHIR resources. The language is described in docs/MAPPING.md. Loading checks
// everything that can be checked without data: JSON syntax, unknown keys, source paths against
// the format (and the JSON Schema or CSV header where one is known), target element paths against
// the R4 model, ConceptMaps by canonical URL, references between named resources. Every error
// names the file and line. A Mapping is immutable after loading; share it across threads.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/fhir/model.h"
#include "adapter/fhir/primitives.h"
#include "adapter/mapping/engine/concept_map.h"
#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

// One step of a target path: an element name and how to pick the array item.
struct TargetSegment {
  enum class Index { kNone, kFixed, kAppend, kLast };  // name, name[n], name[+], name[=]
  std::string name;
  Index index = Index::kNone;
  int fixed = 0;
  std::string var;        // kFixed taken from a foreach variable: name[{var}]
  bool is_array = false;  // the element repeats (from the model)
};

// A condition on the source: present / absent / equals / one of.
struct Condition {
  enum class Kind { kPresent, kAbsent, kEquals, kOneOf };
  Kind kind = Kind::kPresent;
  std::string source;
  std::vector<std::string> values;  // for kEquals (one) and kOneOf
  bool boolean = false;             // the expected value is a boolean: compare as Y/N/true/false
  int line = 0;
};

// Iteration of a rule or resource over repeats in the source or over output resources.
struct ForEach {
  enum class Kind { kCount, kSplit, kResources };
  Kind kind = Kind::kCount;
  std::string var;                  // the variable, written {var} in paths
  std::string over;                 // kCount: the source path to count; kResources: a resource name
  std::vector<std::string> split;   // kSplit: the source fields split in parallel
  char separator = ';';
};

// A value transform applied to a source value, in order.
enum class Transform {
  kTrim, kCollapse, kUpper, kLower, kDate, kDateTime, kNhsNumber, kOdsCode, kPostcode, kBoolean,
  kIdentifierSystem, kWords,
};

// One rule. With `rules` it is a group: its target is a prefix of its children's targets and
// its condition and iteration apply to all of them.
struct Rule {
  int line = 0;
  std::string target_text;
  std::vector<TargetSegment> target;
  enum class ValueKind { kGroup, kSource, kConst, kRef };
  ValueKind value_kind = ValueKind::kGroup;
  std::string source;                // kSource: the source path, may hold {var}
  std::string constant;              // kConst: the value as text
  std::string ref;                   // kRef: a resource name
  std::string ref_index;             // kRef: "{var}" or a number; empty = the only instance
  std::vector<Transform> transforms;
  const ConceptMapTable* concept_map = nullptr;
  std::string concept_map_system;    // the ConceptMap group's source system ("" = no source)
  std::map<std::string, std::string> table;  // inline translation table (after transforms)
  std::vector<Condition> when;
  std::optional<ForEach> foreach;
  bool required = false;
  std::string leaf_type;             // the FHIR type written ("string", "boolean", "Reference")
  std::optional<fhir::PrimitiveType> primitive;  // set when leaf_type is a primitive
  fhir::JsonShape shape = fhir::JsonShape::kString;
  std::vector<Rule> rules;
};

// One output resource (or one per iteration when `foreach` is set).
struct ResourceSpec {
  int line = 0;
  std::string name;     // the role: "patient", "condition"
  std::string type;     // "Patient"
  std::string profile;  // canonical URL put in meta.profile and validated against
  std::vector<Condition> when;
  std::optional<ForEach> foreach;
  std::vector<Rule> rules;
};

// A routing fact read from the source record (the mapping's "case" section): what the gateway
// needs to decide where a case goes (docs/ROUTING.md) but that no element of the target
// profiles carries, such as the first day of absence or the employment status. The rule has a
// source, transforms and an optional table, and no target.
struct CaseFact {
  std::string name;  // one of kCaseFactNames
  Rule rule;
};

// The fact names a "case" section may use, with the values each may take after its transforms
// and table ("" = any text of the fact's kind: a date for absenceStart, digits for absenceDays).
inline constexpr std::string_view kCaseFactNames[] = {"absenceStart", "absenceDays", "employment",
                                                      "conditionCategory", "requestedTier", "gpReferral"};

// True when `value` is a value the case fact `name` may take: a YYYY-MM-DD date (absenceStart),
// up to five digits (absenceDays), employed / self-employed / unemployed / unknown (employment),
// mental-health / musculoskeletal / cardiorespiratory / other (conditionCategory), a routing tier
// (requestedTier: self-help, non-clinical-coach, clinical-msk, clinical-mental-health,
// clinical-occupational) or true / false (gpReferral).
bool IsValidCaseFactValue(std::string_view name, std::string_view value);

// A loaded mapping.
struct Mapping {
  std::string name;         // the --format name: "fitnote-json"
  std::string version;
  std::string file;         // path relative to the repository: "mappings/fitnote-json.map.json"
  std::string description;
  SourceFormat format = SourceFormat::kJson;
  std::string identity_system;  // source path of the sending system
  std::string identity_record;  // source path of the record id in that system
  std::string source_system_constant;  // used when the format has no system field
  std::vector<std::string> examples;   // example inputs, relative to the repository
  std::vector<ResourceSpec> resources;
  std::vector<CaseFact> case_facts;

  // "mappings/x.map.json:12" for messages.
  std::string Where(int line) const { return file + ":" + std::to_string(line); }
  // The resource spec called `name`, or nullptr.
  const ResourceSpec* FindResource(std::string_view name) const;
};

// What loading needs besides the file.
struct MappingContext {
  const fhir::Model* model = nullptr;
  const ConceptMapRegistry* concept_maps = nullptr;
  std::string root_dir;  // the repository root: examples and schemas are relative to it
};

// Parses and checks one mapping file. `display_path` is how messages name it. Returns
// invalid_argument with one "file:line: message" per line for every problem found.
common::Result<std::shared_ptr<const Mapping>> LoadMapping(const std::string& path, const std::string& display_path,
                                                           const MappingContext& context);

}  // namespace workwell::mapping

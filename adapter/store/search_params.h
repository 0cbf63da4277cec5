#pragma once
// The search parameters the store indexes, declared per resource type as a small table
// (name -> element paths + type), and the extraction of index entries from a resource on write.
// https://hl7.org/fhir/R4/search.html
//
// Everything here is immutable and thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"

namespace workwell::store {

// The search parameter types the store implements. https://hl7.org/fhir/R4/search.html#ptypes
enum class ParamType { kToken, kReference, kDate, kString };

// The FHIR code of a parameter type ("token", "reference", "date", "string").
const char* ParamTypeCode(ParamType type);

// One declared search parameter.
struct SearchParamDef {
  std::string_view name;        // "patient", "status", "date", "_lastUpdated"
  ParamType type;
  // Element paths from the resource root, dotted ("name.family"); choice elements are listed by
  // their JSON names ("effectiveDateTime", "effectivePeriod"). Unused slots are empty.
  std::array<std::string_view, 4> paths;
  std::string_view target;      // reference parameters: the only type indexed ("Patient"), or empty
  std::string_view expression;  // the FHIRPath expression, for the CapabilityStatement
  std::string_view documentation;
};

// The parameters declared for `resource_type`, without the common ones (see CommonSearchParams).
// Empty for a type the store does not index (such resources are stored and read but only
// searchable by _id and _lastUpdated).
std::span<const SearchParamDef> SearchParamsFor(std::string_view resource_type);

// Parameters every type supports: _id (token) and _lastUpdated (date).
std::span<const SearchParamDef> CommonSearchParams();

// The declared parameter `name` of `resource_type` (common ones included), or nullptr.
const SearchParamDef* FindSearchParam(std::string_view resource_type, std::string_view name);

// The resource types that have a declared table, for the CapabilityStatement.
std::vector<std::string_view> IndexedResourceTypes();

// A half-open time range [low, high) in microseconds since 1970-01-01T00:00:00Z. Open ends are
// kMinTime / kMaxTime.
struct DateRange {
  int64_t low = 0;
  int64_t high = 0;
};
inline constexpr int64_t kMinTime = INT64_MIN;
inline constexpr int64_t kMaxTime = INT64_MAX;

// Parses a FHIR date, dateTime or instant of any precision ("2024", "2024-05", "2024-05-01",
// "2024-05-01T10:00", "2024-05-01T10:00:00.123+01:00") into the range it denotes: "2024-05"
// covers all of May. A time without a zone is taken as UTC. nullopt when malformed.
// https://hl7.org/fhir/R4/search.html#date
std::optional<DateRange> ParseDateRange(std::string_view text);

// Formats microseconds since the epoch as a FHIR instant with milliseconds:
// "2024-05-01T10:11:12.345Z".
std::string FormatInstant(int64_t micros);

// One row of the search index.
struct IndexEntry {
  std::string param;
  std::string system;  // tokens: the system ("" when none)
  std::string value;   // tokens: the code/value; references: "Type/id"; strings: lower-cased
  int64_t low = 0;     // dates
  int64_t high = 0;
};

// Normalises a reference for indexing and matching: drops a base URL and a /_history/n suffix,
// so "https://x/fhir/Patient/1/_history/2" becomes "Patient/1". Contained ("#x") and urn:
// references are returned unchanged.
std::string NormaliseReference(std::string_view reference);

// Lower-cases ASCII letters, for string parameters (which match case-insensitively).
std::string FoldString(std::string_view s);

// Extracts the index entries of `resource` (a resource object) for its declared parameters.
// _id and _lastUpdated are not included: the store indexes them from its own columns.
std::vector<IndexEntry> ExtractIndex(std::string_view resource_type, const json::Value& resource);

}  // namespace workwell::store

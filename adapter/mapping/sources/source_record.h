#pragma once
// The common shape of a parsed source record (vendor JSON, HL7 v2, CSV row), as the mapping
// engine sees it: fields addressed by a source path, each with a value and a precise source
// location, and an enumeration of every populated field so that nothing is dropped silently.
//
// Source paths, by format (all indexes in HL7 are 1-based, JSON array indexes are 0-based):
//   JSON   an RFC 6901 JSON pointer: "/patient/nhsNumber", "/conditions/0/code"
//   HL7 v2 "SEG[n]-F[r].C.S": "PID-3[2].1", "PRD[2]-2.1", "RF1-7"; an omitted [n] or [r] means 1
//   CSV    the header name of the column: "nhs_number"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace workwell::mapping {

enum class SourceFormat : uint8_t { kJson, kHl7v2, kCsv };

// The lower-case name of a format ("json", "hl7v2", "csv").
const char* SourceFormatName(SourceFormat format);

// Where a value (or a problem) sits in the source. `path` is the canonical source path of the
// field (JSON pointer, HL7 path, CSV header name). `line` and `column` are 1-based: for CSV the
// line where the field starts and its byte column in that line; for HL7 `line` is the segment's
// ordinal in the message (column unused); zero when unknown.
struct SourceLocation {
  SourceFormat format = SourceFormat::kJson;
  std::string path;
  uint32_t line = 0;
  uint32_t column = 0;

  // Renders the location for messages: "/patient/nhsNumber", "PID-3[2].1",
  // "line 4, column 17 (nhs_number)", "segment 5" (an HL7 segment without a usable name).
  // Called only when a message is built.
  std::string ToString() const;
};

// One leaf value. Text is unescaped (HL7 escapes resolved, CSV quotes removed, JSON strings
// decoded). kNull is an explicit null: JSON null or HL7 `""` (the sender asks for deletion);
// an absent field is not a value at all.
struct SourceValue {
  enum class Kind : uint8_t { kText, kNumber, kBool, kNull };
  Kind kind = Kind::kText;
  // The text; for kNumber the number as written, for kBool "true" or "false", empty for kNull.
  // Points into the record and stays valid for the record's lifetime.
  std::string_view text;

  bool IsNull() const { return kind == Kind::kNull; }
};

// A populated leaf: its canonical path (the key a coverage report uses), value and location.
struct SourceField {
  std::string path;
  SourceValue value;
  SourceLocation location;
};

// A problem found in the source data while parsing. Severity error means the record (or the
// whole input) could not be parsed; warnings are reported and parsing went on.
struct SourceIssue {
  enum class Severity : uint8_t { kError, kWarning };
  Severity severity = Severity::kError;
  // A FHIR IssueType code (structure, value, too-long, not-supported, informational ...).
  std::string code;
  std::string message;
  SourceLocation location;

  // "line 3, column 7 (surname): stray quote in an unquoted field".
  std::string ToString() const;
};

// A parsed record. Implementations are immutable after parsing, so concurrent reads are safe.
// Field values point into the record: they live as long as the record does.
class SourceRecord {
 public:
  virtual ~SourceRecord() = default;

  // The format the record was parsed from.
  virtual SourceFormat format() const = 0;

  // The leaf at `path`, or nullopt when the path is absent, malformed or names a non-leaf
  // (a JSON object or array). HL7 follows the standard's rule that a field read as a single
  // value is its first component: "PID-8" finds "M" in "M^X", and the returned field's path is
  // the canonical "PID-8.1", so a coverage report still sees "PID-8.2" as unread.
  virtual std::optional<SourceField> Get(std::string_view path) const = 0;

  // How many items `path` holds: the length of a JSON array (1 for any other present value),
  // the repetitions of an HL7 field ("PID-3") or occurrences of a segment ("PRD"), 1 for a
  // populated CSV column. Zero when absent. Lets the engine iterate "/conditions/{i}" or
  // "PID-3[{r}]".
  virtual size_t Count(std::string_view path) const = 0;

  // Calls `visit` once for every populated leaf (explicit nulls included), in source order.
  // The canonical paths are the ones Get() returns, so the engine can mark what it read and
  // report the rest.
  virtual void ForEachField(const std::function<void(const SourceField&)>& visit) const = 0;

  // Convenience: all populated leaves, in source order.
  std::vector<SourceField> Fields() const;
};

}  // namespace workwell::mapping

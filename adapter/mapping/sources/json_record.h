#pragma once
// Vendor JSON as a source record: leaves addressed by RFC 6901 JSON pointers.
// https://www.rfc-editor.org/rfc/rfc6901

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string EscapePointerToken(std::string_view token);

// Splits `pointer` into unescaped reference tokens. Returns false for a malformed pointer
// (not empty and not starting with "/", or a "~" not followed by 0 or 1). "" is the root.
bool SplitPointer(std::string_view pointer, std::vector<std::string>& tokens);

// Joins unescaped tokens into a JSON pointer ({"a/b", "0"} -> "/a~1b/0").
std::string JoinPointer(const std::vector<std::string>& tokens);

// A parsed JSON document exposed as a SourceRecord. Immutable after construction; concurrent
// reads are safe. Movable, not copyable.
class JsonRecord final : public SourceRecord {
 public:
  // Parses `text`. On failure the Status (invalid_argument, or resource_exhausted when a limit
  // was hit) carries the JSON pointer that was open, and an error issue with that location is
  // appended to `issues`. Duplicate object keys are warnings: the first occurrence is used.
  static common::Result<JsonRecord> Parse(std::string_view text, const json::Limits& limits,
                                          std::vector<SourceIssue>& issues);

  // Wraps an already parsed document.
  explicit JsonRecord(json::Document doc);

  // The value at `pointer` (any kind), or nullptr when absent or the pointer is malformed.
  // Array tokens must be decimal indexes without leading zeros ("-" never resolves).
  const json::Value* Resolve(std::string_view pointer) const;

  // The underlying document.
  const json::Document& document() const { return doc_; }

  // SourceRecord: paths are JSON pointers; Get() finds scalars only, Count() sizes arrays.
  SourceFormat format() const override { return SourceFormat::kJson; }
  std::optional<SourceField> Get(std::string_view path) const override;
  size_t Count(std::string_view path) const override;
  // Every scalar (string, number, boolean, null) in document order; empty objects and arrays
  // hold nothing and are skipped, as are repeated keys after the first.
  void ForEachField(const std::function<void(const SourceField&)>& visit) const override;

 private:
  json::Document doc_;
};

}  // namespace workwell::mapping

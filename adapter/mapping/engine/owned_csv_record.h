#pragma once
// A CSV row copied out of a CsvReader, so that it outlives the reader's buffer and can be handed
// to another thread. Immutable after construction; concurrent reads are safe.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/mapping/sources/csv.h"
#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

// The column names of an extract and their positions, shared by all rows.
struct CsvHeader {
  std::vector<std::string> names;
  // Looked up by string_view, without making a std::string of the column name.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>> index;

  explicit CsvHeader(const std::vector<std::string>& columns);
};

class OwnedCsvRecord final : public SourceRecord {
 public:
  // Copies the current record of a reader.
  OwnedCsvRecord(std::shared_ptr<const CsvHeader> header, const CsvRecord& record);

  // The line where the row starts (1-based).
  uint32_t line() const { return line_; }
  // Where column `name` of this row is: its line and column when the row has it, else the row's
  // line and the column's name.
  SourceLocation LocationOf(std::string_view name) const;
  // The row as "name=value" lines in column order: what the row's SHA-256 is taken of.
  std::string Canonical() const;

  SourceFormat format() const override { return SourceFormat::kCsv; }
  std::optional<SourceField> Get(std::string_view path) const override;
  size_t Count(std::string_view path) const override;
  void ForEachField(const std::function<void(const SourceField&)>& visit) const override;

 private:
  struct Cell {
    std::string text;
    uint32_t line = 0;
    uint32_t column = 0;
  };
  std::shared_ptr<const CsvHeader> header_;
  std::vector<Cell> cells_;
  uint32_t line_ = 0;
};

}  // namespace workwell::mapping

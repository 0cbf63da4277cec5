#pragma once
// Streaming RFC 4180 CSV reader: quoted fields, doubled quotes, delimiters and line breaks inside
// quotes, CRLF or LF line ends, a header row, and a leading UTF-8 byte order mark.
// https://www.rfc-editor.org/rfc/rfc4180
//
// Hot path: fields are string_views into the input buffer; only a quoted field containing a
// doubled quote is copied, into a per-reader arena reserved once. No heap allocation per field or
// per record after the first few records.

#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

// Reader settings; the limits have safe defaults.
struct CsvOptions {
  char delimiter = ',';
  // When false, columns are named "1", "2", ... and every line is a record.
  bool has_header = true;
  size_t max_record_bytes = 64u << 10;  // one record, raw, including quotes and line breaks
  size_t max_fields = 1024;             // fields in one record
  size_t read_chunk_bytes = 256u << 10;  // stream reads
};

// One field of the current record. `text` is unquoted and unescaped.
struct CsvField {
  std::string_view text;
  uint32_t line = 0;    // 1-based line where the field starts
  uint32_t column = 0;  // 1-based byte column in that line
  bool quoted = false;
};

class CsvReader;

// The current record of a CsvReader, as a SourceRecord addressed by header name. A view: valid
// until the reader's next Next() call. Empty fields (quoted or not) count as absent.
class CsvRecord final : public SourceRecord {
 public:
  // The line where the record starts (1-based).
  uint32_t line() const { return line_; }
  // The fields, in column order.
  std::span<const CsvField> fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  // The 0-based column index named `name`, or nullopt.
  std::optional<size_t> ColumnIndex(std::string_view name) const;
  // The location of field `index`, naming its header.
  SourceLocation LocationOf(size_t index) const;

  // SourceRecord: paths are header names; Count() is 1 for a non-empty field, else 0.
  SourceFormat format() const override { return SourceFormat::kCsv; }
  std::optional<SourceField> Get(std::string_view path) const override;
  size_t Count(std::string_view path) const override;
  void ForEachField(const std::function<void(const SourceField&)>& visit) const override;

 private:
  friend class CsvReader;
  const std::vector<std::string>* header_ = nullptr;
  std::span<const CsvField> fields_;
  uint32_t line_ = 0;
};

// Reads records one at a time from a buffer (kept alive by the caller) or an std::istream.
// Not thread-safe; one reader per input. Never throws on any input.
class CsvReader {
 public:
  // What Next() found.
  enum class Step { kRecord, kEnd, kError };

  // Reads `data`, which must outlive the reader.
  explicit CsvReader(std::string_view data, CsvOptions options = {});
  // Reads `in` in chunks; the stream must outlive the reader.
  explicit CsvReader(std::istream& in, CsvOptions options = {});
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Advances to the next data record (the header is read on the first call).
  //  kRecord: record() holds it.
  //  kError: error() names the line and column. A wrong field count, a stray quote in an
  //    unquoted field or text after a closing quote skips that record, and the next call goes on
  //    with the next one; an unterminated quote, an oversize record, too many fields, a bad
  //    header or a stream failure stops reading (fatal() is true, later calls return kEnd).
  //  kEnd: no more records.
  Step Next();

  // The current record; valid until the next Next().
  const CsvRecord& record() const { return record_; }
  // The last error; valid after Next() returned kError.
  const SourceIssue& error() const { return error_; }
  // True once reading has stopped on an error.
  bool fatal() const { return fatal_; }
  // The column names (read on the first Next()).
  const std::vector<std::string>& header() const { return header_; }

 private:
  enum class Parse { kComplete, kNeedMore, kError };

  Parse ParseRecord(const char* begin, const char* end, bool at_eof);
  void Refill();
  void SkipBlankLines();
  void SkipRestOfLine();
  Step ReadRecord(bool is_header);
  Step CheckHeader();
  Parse Fail(bool fatal, std::string message, uint32_t line, uint32_t column, size_t field,
             const char* resume);

  CsvOptions options_;
  std::istream* in_ = nullptr;
  std::string storage_;  // stream mode: the read buffer
  const char* data_ = nullptr;
  size_t size_ = 0;      // valid bytes at data_
  size_t pos_ = 0;       // start of the unread input
  bool eof_ = true;      // no more input beyond data_[size_]
  bool started_ = false;
  bool fatal_ = false;
  bool skip_line_ = false;
  uint32_t line_ = 1;    // line at pos_
  const char* next_ = nullptr;  // after a parsed record: where the next one starts
  uint32_t next_line_ = 1;      // and its line
  bool special_[256] = {};      // bytes that end an unquoted field
  std::string arena_;
  std::vector<CsvField> fields_;
  std::vector<std::string> header_;
  CsvRecord record_;
  SourceIssue error_;
};

}  // namespace workwell::mapping

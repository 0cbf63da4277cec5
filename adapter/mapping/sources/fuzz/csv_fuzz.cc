// libFuzzer entry point for the CSV reader. Beyond "never crash", it checks that
// - reading from a buffer and from a stream (refilled a few bytes at a time) gives the same
//   records and errors;
// - every error is located (line and column from 1) and has a message, and after a fatal one
//   the reader only answers kEnd;
// - every record has as many fields as the header, its fields start in increasing positions at
//   or after the record's line, and each populated column reads back by its header name;
// - a record written out again (every field quoted, quotes doubled) reads back as one record
//   with the same fields.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/check.h"
#include "adapter/mapping/sources/csv.h"

namespace {

using workwell::mapping::CsvField;
using workwell::mapping::CsvOptions;
using workwell::mapping::CsvReader;
using workwell::mapping::CsvRecord;

// The record as one RFC 4180 line, every field quoted.
std::string Write(const CsvRecord& record) {
  std::string out;
  for (size_t i = 0; i < record.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : record.fields()[i].text) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

void CheckRecord(const CsvReader& reader) {
  const CsvRecord& record = reader.record();
  WW_CHECK(record.size() == reader.header().size() && record.size() >= 1);
  WW_CHECK(record.line() >= 1);
  uint32_t line = record.line();
  uint32_t column = 0;
  for (const CsvField& f : record.fields()) {
    WW_CHECK(f.column >= 1);
    WW_CHECK(f.line > line || (f.line == line && f.column > column));
    line = f.line;
    column = f.column;
  }
  record.ForEachField([&](const workwell::mapping::SourceField& f) {
    const std::optional<workwell::mapping::SourceField> again = record.Get(f.path);
    WW_CHECK(again.has_value() && again->value.text == f.value.text);
  });
  const std::string written = Write(record);
  CsvOptions options;
  options.has_header = false;
  options.max_record_bytes = written.size() + 1;
  CsvReader back(written, options);
  WW_CHECK(back.Next() == CsvReader::Step::kRecord);
  WW_CHECK(back.record().size() == record.size());
  for (size_t i = 0; i < record.size(); ++i) WW_CHECK(back.record().fields()[i].text == record.fields()[i].text);
  WW_CHECK(back.Next() == CsvReader::Step::kEnd);
}

std::vector<std::string> Transcript(CsvReader& reader) {
  std::vector<std::string> out;
  for (int guard = 0; guard < 100000; ++guard) {
    const CsvReader::Step step = reader.Next();
    if (step == CsvReader::Step::kEnd) return out;
    if (step == CsvReader::Step::kError) {
      const workwell::mapping::SourceIssue& error = reader.error();
      WW_CHECK(error.severity == workwell::mapping::SourceIssue::Severity::kError && !error.message.empty());
      WW_CHECK(error.location.format == workwell::mapping::SourceFormat::kCsv);
      WW_CHECK(error.location.line >= 1 && error.location.column >= 1);
      out.push_back("!" + error.ToString());
      if (reader.fatal()) {
        WW_CHECK(reader.Next() == CsvReader::Step::kEnd);
        return out;
      }
      continue;
    }
    CheckRecord(reader);
    std::string row = std::to_string(reader.record().line());
    for (const CsvField& f : reader.record().fields()) {
      row += '|';
      row += std::to_string(f.line) + ":" + std::to_string(f.column) + "=";
      row += f.text;
    }
    out.push_back(std::move(row));
  }
  WW_CHECK(false);  // more calls than bytes: Next() is not making progress
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool header : {true, false}) {
    CsvOptions options;
    options.has_header = header;
    options.max_record_bytes = 256;
    options.max_fields = 32;
    CsvReader from_buffer(text, options);
    const std::vector<std::string> a = Transcript(from_buffer);
    std::istringstream in{std::string(text)};
    options.read_chunk_bytes = 7;
    CsvReader from_stream(in, options);
    const std::vector<std::string> b = Transcript(from_stream);
    WW_CHECK(a == b);
  }
  return 0;
}

// libFuzzer entry point for the CSV reader. Beyond "never crash", it checks that reading from a
// buffer and from a stream (refilled a few bytes at a time) gives the same records and errors.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/check.h"
#include "adapter/mapping/sources/csv.h"

namespace {

std::vector<std::string> Transcript(workwell::mapping::CsvReader& reader) {
  using workwell::mapping::CsvReader;
  std::vector<std::string> out;
  for (int guard = 0; guard < 100000; ++guard) {
    const CsvReader::Step step = reader.Next();
    if (step == CsvReader::Step::kEnd) return out;
    if (step == CsvReader::Step::kError) {
      out.push_back("!" + reader.error().ToString());
      continue;
    }
    std::string row = std::to_string(reader.record().line());
    for (const workwell::mapping::CsvField& f : reader.record().fields()) {
      row += '|';
      row += std::to_string(f.line) + ":" + std::to_string(f.column) + "=";
      row += f.text;
    }
    reader.record().ForEachField([&](const workwell::mapping::SourceField& f) {
      WW_CHECK(reader.record().Get(f.path).has_value());
    });
    out.push_back(std::move(row));
  }
  WW_CHECK(false);  // more calls than bytes: Next() is not making progress
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using workwell::mapping::CsvOptions;
  using workwell::mapping::CsvReader;
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

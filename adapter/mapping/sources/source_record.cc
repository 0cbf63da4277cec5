#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

const char* SourceFormatName(SourceFormat format) {
  switch (format) {
    case SourceFormat::kJson:
      return "json";
    case SourceFormat::kHl7v2:
      return "hl7v2";
    case SourceFormat::kCsv:
      return "csv";
  }
  return "unknown";
}

std::string SourceLocation::ToString() const {
  if (format == SourceFormat::kJson) return path;
  if (format == SourceFormat::kHl7v2) {
    if (!path.empty()) return path;
    return line == 0 ? std::string() : "segment " + std::to_string(line);
  }
  std::string out = "line " + std::to_string(line);
  if (column != 0) out += ", column " + std::to_string(column);
  if (!path.empty()) out += " (" + path + ")";
  return out;
}

std::string SourceIssue::ToString() const {
  std::string where = location.ToString();
  if (where.empty()) return message;
  return where + ": " + message;
}

std::vector<SourceField> SourceRecord::Fields() const {
  std::vector<SourceField> out;
  ForEachField([&out](const SourceField& f) { out.push_back(f); });
  return out;
}

}  // namespace workwell::mapping

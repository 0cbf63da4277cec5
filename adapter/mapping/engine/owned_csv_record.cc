#include "adapter/mapping/engine/owned_csv_record.h"

#include <algorithm>

namespace workwell::mapping {

CsvHeader::CsvHeader(const std::vector<std::string>& columns) : names(columns) {
  for (size_t i = 0; i < names.size(); ++i) index.emplace(names[i], i);
}

OwnedCsvRecord::OwnedCsvRecord(std::shared_ptr<const CsvHeader> header, const CsvRecord& record)
    : header_(std::move(header)), line_(record.line()) {
  cells_.reserve(record.size());
  for (const CsvField& f : record.fields()) cells_.push_back({std::string(f.text), f.line, f.column});
}

SourceLocation OwnedCsvRecord::LocationOf(std::string_view name) const {
  SourceLocation loc;
  loc.format = SourceFormat::kCsv;
  loc.path = std::string(name);
  loc.line = line_;
  auto it = header_->index.find(name);
  if (it != header_->index.end() && it->second < cells_.size()) {
    loc.line = cells_[it->second].line;
    loc.column = cells_[it->second].column;
  }
  return loc;
}

std::string OwnedCsvRecord::Canonical() const {
  const size_t n = std::min(cells_.size(), header_->names.size());
  size_t size = 0;
  for (size_t i = 0; i < n; ++i) size += header_->names[i].size() + cells_[i].text.size() + 2;
  std::string out;
  out.reserve(size);  // one allocation: the row is about 40 columns
  for (size_t i = 0; i < cells_.size() && i < header_->names.size(); ++i) {
    out += header_->names[i];
    out.push_back('=');
    out += cells_[i].text;
    out.push_back('\n');
  }
  return out;
}

std::optional<SourceField> OwnedCsvRecord::Get(std::string_view path) const {
  auto it = header_->index.find(path);
  if (it == header_->index.end() || it->second >= cells_.size()) return std::nullopt;
  const Cell& c = cells_[it->second];
  if (c.text.empty()) return std::nullopt;
  SourceField f;
  f.path = header_->names[it->second];
  f.value.kind = SourceValue::Kind::kText;
  f.value.text = c.text;
  f.location = {SourceFormat::kCsv, f.path, c.line, c.column};
  return f;
}

size_t OwnedCsvRecord::Count(std::string_view path) const { return Get(path) ? 1 : 0; }

void OwnedCsvRecord::ForEachField(const std::function<void(const SourceField&)>& visit) const {
  // One field reused for every cell: its path strings keep their capacity from cell to cell.
  SourceField f;
  f.location.format = SourceFormat::kCsv;
  for (size_t i = 0; i < cells_.size() && i < header_->names.size(); ++i) {
    const Cell& c = cells_[i];
    if (c.text.empty()) continue;
    f.path = header_->names[i];
    f.value.text = c.text;
    f.location.path = f.path;
    f.location.line = c.line;
    f.location.column = c.column;
    visit(f);
  }
}

}  // namespace workwell::mapping

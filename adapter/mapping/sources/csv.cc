#include "adapter/mapping/sources/csv.h"

#include <algorithm>
#include <cstring>

namespace workwell::mapping {
namespace {

SourceLocation CsvLocation(std::string column_name, uint32_t line, uint32_t column) {
  SourceLocation loc;
  loc.format = SourceFormat::kCsv;
  loc.path = std::move(column_name);
  loc.line = line;
  loc.column = column;
  return loc;
}

}  // namespace

std::optional<size_t> CsvRecord::ColumnIndex(std::string_view name) const {
  if (header_ == nullptr) return std::nullopt;
  for (size_t i = 0; i < header_->size(); ++i) {
    if ((*header_)[i] == name) return i;
  }
  return std::nullopt;
}

SourceLocation CsvRecord::LocationOf(size_t index) const {
  const CsvField& f = fields_[index];
  std::string name = header_ != nullptr && index < header_->size() ? (*header_)[index] : std::string();
  return CsvLocation(std::move(name), f.line, f.column);
}

std::optional<SourceField> CsvRecord::Get(std::string_view path) const {
  std::optional<size_t> index = ColumnIndex(path);
  if (!index || *index >= fields_.size() || fields_[*index].text.empty()) return std::nullopt;
  return SourceField{std::string(path), {SourceValue::Kind::kText, fields_[*index].text}, LocationOf(*index)};
}

size_t CsvRecord::Count(std::string_view path) const { return Get(path) ? 1 : 0; }

void CsvRecord::ForEachField(const std::function<void(const SourceField&)>& visit) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].text.empty()) continue;
    SourceLocation loc = LocationOf(i);
    SourceField field{loc.path, {SourceValue::Kind::kText, fields_[i].text}, loc};
    visit(field);
  }
}

CsvReader::CsvReader(std::string_view data, CsvOptions options) : options_(options) {
  data_ = data.data();
  size_ = data.size();
  eof_ = true;
  arena_.reserve(options_.max_record_bytes + 16);
  special_[static_cast<unsigned char>(options_.delimiter)] = true;
  special_[static_cast<unsigned char>('\r')] = true;
  special_[static_cast<unsigned char>('\n')] = true;
  special_[static_cast<unsigned char>('"')] = true;
}

CsvReader::CsvReader(std::istream& in, CsvOptions options) : CsvReader(std::string_view(), options) {
  in_ = &in;
  eof_ = false;
  options_.read_chunk_bytes = std::max<size_t>(options_.read_chunk_bytes, 1);
  storage_.resize(options_.read_chunk_bytes + options_.max_record_bytes + 16);
  data_ = storage_.data();
}

void CsvReader::Refill() {
  if (in_ == nullptr || eof_) {
    eof_ = true;
    return;
  }
  if (pos_ > 0) {
    std::memmove(storage_.data(), storage_.data() + pos_, size_ - pos_);
    size_ -= pos_;
    pos_ = 0;
  }
  const size_t want = std::min(options_.read_chunk_bytes, storage_.size() - size_);
  in_->read(storage_.data() + size_, static_cast<std::streamsize>(want));
  const size_t got = static_cast<size_t>(in_->gcount());
  size_ += got;
  if (got < want) eof_ = true;
}

void CsvReader::SkipBlankLines() {
  while (true) {
    if (pos_ == size_) {
      if (eof_) return;
      Refill();
      continue;
    }
    const char c = data_[pos_];
    if (c == '\n') {
      ++pos_;
      ++line_;
    } else if (c == '\r') {
      if (pos_ + 1 == size_ && !eof_) {
        Refill();
        continue;
      }
      pos_ += pos_ + 1 < size_ && data_[pos_ + 1] == '\n' ? 2 : 1;
      ++line_;
    } else {
      return;
    }
  }
}

void CsvReader::SkipRestOfLine() {
  while (true) {
    while (pos_ < size_ && data_[pos_] != '\n' && data_[pos_] != '\r') ++pos_;
    if (pos_ < size_ || eof_) return;
    Refill();
  }
}

CsvReader::Parse CsvReader::Fail(bool fatal, std::string message, uint32_t line, uint32_t column,
                                 size_t field, const char* resume) {
  std::string name = field < header_.size() ? header_[field] : std::string();
  error_ = SourceIssue{SourceIssue::Severity::kError, "structure", std::move(message),
                       CsvLocation(std::move(name), line, column)};
  if (fatal) {
    fatal_ = true;
  } else if (resume != nullptr) {
    pos_ = static_cast<size_t>(resume - data_);
    line_ = line;
    skip_line_ = true;
  }
  return Parse::kError;
}

CsvReader::Parse CsvReader::ParseRecord(const char* begin, const char* end, bool at_eof) {
  fields_.clear();
  arena_.clear();
  const char delimiter = options_.delimiter;
  const char* p = begin;
  const char* line_start = begin;
  uint32_t line = line_;
  while (true) {
    const uint32_t column = static_cast<uint32_t>(p - line_start + 1);
    if (fields_.size() >= options_.max_fields) {
      return Fail(true, "more than " + std::to_string(options_.max_fields) + " fields in one record", line, column,
                  fields_.size(), nullptr);
    }
    CsvField f;
    f.line = line;
    f.column = column;
    if (p < end && *p == '"') {
      f.quoted = true;
      const char* q = p + 1;
      const char* run = q;
      bool copied = false;
      const size_t arena_start = arena_.size();
      while (true) {
        if (q == end) {
          if (!at_eof) return Parse::kNeedMore;
          return Fail(true, "quoted field is not closed before the end of the input", f.line, f.column,
                      fields_.size(), nullptr);
        }
        const char c = *q;
        if (c == '"') {
          if (q + 1 == end && !at_eof) return Parse::kNeedMore;
          if (q + 1 < end && q[1] == '"') {
            arena_.append(run, static_cast<size_t>(q + 1 - run));
            copied = true;
            q += 2;
            run = q;
            continue;
          }
          break;
        }
        if (c == '\n') {
          ++line;
          line_start = q + 1;
        } else if (c == '\r') {
          if (q + 1 == end && !at_eof) return Parse::kNeedMore;
          if (q + 1 == end || q[1] != '\n') {
            ++line;
            line_start = q + 1;
          }
        }
        ++q;
      }
      if (copied) {
        arena_.append(run, static_cast<size_t>(q - run));
        f.text = std::string_view(arena_.data() + arena_start, arena_.size() - arena_start);
      } else {
        f.text = std::string_view(p + 1, static_cast<size_t>(q - p - 1));
      }
      p = q + 1;
      if (p == end) {
        if (!at_eof) return Parse::kNeedMore;
        fields_.push_back(f);
        next_ = p;
        next_line_ = line;
        return Parse::kComplete;
      }
      if (*p == delimiter) {
        fields_.push_back(f);
        ++p;
        continue;
      }
      if (*p != '\n' && *p != '\r') {
        return Fail(false, "unexpected text after a closing quote", line,
                    static_cast<uint32_t>(p - line_start + 1), fields_.size(), p);
      }
      fields_.push_back(f);
      break;
    }
    const char* start = p;
    while (p < end && !special_[static_cast<unsigned char>(*p)]) ++p;
    if (p == end) {
      if (!at_eof) return Parse::kNeedMore;
      f.text = std::string_view(start, static_cast<size_t>(p - start));
      fields_.push_back(f);
      next_ = p;
      next_line_ = line;
      return Parse::kComplete;
    }
    if (*p == '"') {
      return Fail(false, "stray quote in an unquoted field (quote the whole field and double the quote)", line,
                  static_cast<uint32_t>(p - line_start + 1), fields_.size(), p);
    }
    f.text = std::string_view(start, static_cast<size_t>(p - start));
    fields_.push_back(f);
    if (*p == delimiter) {
      ++p;
      continue;
    }
    break;
  }
  if (*p == '\r') {
    if (p + 1 == end && !at_eof) return Parse::kNeedMore;
    if (p + 1 < end && p[1] == '\n') ++p;
  }
  next_ = p + 1;
  next_line_ = line + 1;
  return Parse::kComplete;
}

CsvReader::Step CsvReader::ReadRecord(bool is_header) {
  const size_t cap = options_.max_record_bytes;
  while (true) {
    const char* begin = data_ + pos_;
    const size_t avail = size_ - pos_;
    const bool limited = avail > cap;
    const char* end = begin + (limited ? cap : avail);
    const Parse r = ParseRecord(begin, end, eof_ && !limited);
    if (r == Parse::kError) return Step::kError;
    if (r == Parse::kNeedMore) {
      // Only a window cut at the limit can need more: with the input's end in view a record
      // either completes or fails. A stream holding exactly `cap` bytes is refilled first, as
      // its end may come next (a last record of exactly `cap` bytes is accepted from a buffer).
      if (limited) {
        Fail(true, "record is longer than " + std::to_string(cap) + " bytes", line_, 1, header_.size(), nullptr);
        return Step::kError;
      }
      Refill();
      if (in_ != nullptr && in_->bad()) {
        Fail(true, "reading the input failed", line_, 1, header_.size(), nullptr);
        return Step::kError;
      }
      continue;
    }
    const uint32_t record_line = line_;
    pos_ = static_cast<size_t>(next_ - data_);
    line_ = next_line_;
    if (is_header) return Step::kRecord;
    if (header_.empty()) {
      for (size_t i = 1; i <= fields_.size(); ++i) header_.push_back(std::to_string(i));
    }
    if (fields_.size() != header_.size()) {
      const bool extra = fields_.size() > header_.size();
      const CsvField& at = extra ? fields_[header_.size()] : fields_.back();
      error_ = SourceIssue{SourceIssue::Severity::kError, "structure",
                           "expected " + std::to_string(header_.size()) + " fields, found " +
                               std::to_string(fields_.size()),
                           CsvLocation(extra ? std::string() : header_[fields_.size() - 1], at.line, at.column)};
      return Step::kError;
    }
    record_.header_ = &header_;
    record_.fields_ = std::span<const CsvField>(fields_.data(), fields_.size());
    record_.line_ = record_line;
    return Step::kRecord;
  }
}

CsvReader::Step CsvReader::CheckHeader() {
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::string name(fields_[i].text);
    const bool duplicate = std::find(header_.begin(), header_.end(), name) != header_.end();
    if (name.empty() || duplicate) {
      fatal_ = true;
      error_ = SourceIssue{SourceIssue::Severity::kError, "structure",
                           name.empty() ? "empty column name in the header" : "duplicate column name in the header",
                           CsvLocation(name, fields_[i].line, fields_[i].column)};
      header_.clear();
      return Step::kError;
    }
    header_.push_back(std::move(name));
  }
  return Step::kRecord;
}

CsvReader::Step CsvReader::Next() {
  if (fatal_) return Step::kEnd;
  if (!started_) {
    started_ = true;
    while (size_ - pos_ < 3 && !eof_) Refill();
    if (size_ - pos_ >= 3 && std::memcmp(data_ + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
    if (options_.has_header) {
      SkipBlankLines();
      if (pos_ == size_ && eof_) {
        fatal_ = true;
        error_ = SourceIssue{SourceIssue::Severity::kError, "structure", "no header row", CsvLocation({}, line_, 1)};
        return Step::kError;
      }
      const Step s = ReadRecord(true);
      if (s != Step::kRecord) {
        fatal_ = true;
        return s;
      }
      if (CheckHeader() != Step::kRecord) return Step::kError;
    }
  }
  if (skip_line_) {
    skip_line_ = false;
    SkipRestOfLine();
  }
  SkipBlankLines();
  if (pos_ == size_ && eof_) return Step::kEnd;
  return ReadRecord(false);
}

}  // namespace workwell::mapping

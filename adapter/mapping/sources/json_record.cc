#include "adapter/mapping/sources/json_record.h"

#include <charconv>
#include <unordered_set>

namespace workwell::mapping {
namespace {

SourceLocation JsonLocation(std::string pointer) {
  SourceLocation loc;
  loc.format = SourceFormat::kJson;
  loc.path = std::move(pointer);
  return loc;
}

std::optional<SourceValue> ScalarOf(const json::Value& v) {
  switch (v.kind()) {
    case json::Kind::kNull:
      return SourceValue{SourceValue::Kind::kNull, {}};
    case json::Kind::kFalse:
      return SourceValue{SourceValue::Kind::kBool, "false"};
    case json::Kind::kTrue:
      return SourceValue{SourceValue::Kind::kBool, "true"};
    case json::Kind::kNumber:
      return SourceValue{SourceValue::Kind::kNumber, v.text()};
    case json::Kind::kString:
      return SourceValue{SourceValue::Kind::kText, v.text()};
    case json::Kind::kArray:
    case json::Kind::kObject:
      break;
  }
  return std::nullopt;
}

bool ParseIndex(std::string_view token, size_t& index) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  return ec == std::errc() && ptr == token.data() + token.size();
}

void Walk(const json::Value& v, std::string& pointer, std::vector<SourceIssue>* duplicates,
          const std::function<void(const SourceField&)>* visit) {
  const size_t mark = pointer.size();
  if (v.IsObject()) {
    std::unordered_set<std::string_view> seen;
    for (const json::Member& m : v.members()) {
      pointer += '/';
      pointer += EscapePointerToken(m.key);
      if (!seen.insert(m.key).second) {
        if (duplicates != nullptr) {
          duplicates->push_back({SourceIssue::Severity::kWarning, "structure",
                                 "duplicate key; the first occurrence is used", JsonLocation(pointer)});
        }
      } else {
        Walk(m.value, pointer, duplicates, visit);
      }
      pointer.resize(mark);
    }
    return;
  }
  if (v.IsArray()) {
    size_t i = 0;
    for (const json::Value& item : v.items()) {
      pointer += '/';
      pointer += std::to_string(i++);
      Walk(item, pointer, duplicates, visit);
      pointer.resize(mark);
    }
    return;
  }
  if (visit != nullptr) {
    SourceField field{pointer, *ScalarOf(v), JsonLocation(pointer)};
    (*visit)(field);
  }
}

}  // namespace

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool SplitPointer(std::string_view pointer, std::vector<std::string>& tokens) {
  tokens.clear();
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  size_t pos = 1;
  while (true) {
    size_t end = pointer.find('/', pos);
    std::string_view raw = pointer.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    std::string token;
    token.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token += raw[i];
        continue;
      }
      if (i + 1 >= raw.size()) return false;
      if (raw[i + 1] == '0') {
        token += '~';
      } else if (raw[i + 1] == '1') {
        token += '/';
      } else {
        return false;
      }
      ++i;
    }
    tokens.push_back(std::move(token));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return true;
}

std::string JoinPointer(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) {
    out += '/';
    out += EscapePointerToken(t);
  }
  return out;
}

common::Result<JsonRecord> JsonRecord::Parse(std::string_view text, const json::Limits& limits,
                                             std::vector<SourceIssue>& issues) {
  json::Document doc;
  json::ParseError error;
  if (!json::Parse(text, limits, doc, error)) {
    SourceIssue issue;
    issue.severity = SourceIssue::Severity::kError;
    const bool limit = error.code == json::ParseError::Code::kTooLarge ||
                       error.code == json::ParseError::Code::kTooDeep ||
                       error.code == json::ParseError::Code::kTooManyItems;
    issue.code = limit ? "too-costly" : "structure";
    issue.message = error.message + " (byte offset " + std::to_string(error.offset) + ")";
    issue.location = JsonLocation(JoinPointer(error.path));
    std::string text_of_issue = issue.ToString();
    issues.push_back(std::move(issue));
    return limit ? common::ResourceExhausted(std::move(text_of_issue))
                 : common::InvalidArgument(std::move(text_of_issue));
  }
  std::string pointer;
  Walk(doc.root(), pointer, &issues, nullptr);
  return JsonRecord(std::move(doc));
}

JsonRecord::JsonRecord(json::Document doc) : doc_(std::move(doc)) {}

const json::Value* JsonRecord::Resolve(std::string_view pointer) const {
  std::vector<std::string> tokens;
  if (!SplitPointer(pointer, tokens)) return nullptr;
  const json::Value* v = &doc_.root();
  for (const std::string& t : tokens) {
    if (v->IsObject()) {
      v = v->Find(t);
    } else if (v->IsArray()) {
      size_t index = 0;
      if (!ParseIndex(t, index) || index >= v->items().size()) return nullptr;
      v = &v->items()[index];
    } else {
      return nullptr;
    }
    if (v == nullptr) return nullptr;
  }
  return v;
}

std::optional<SourceField> JsonRecord::Get(std::string_view path) const {
  const json::Value* v = Resolve(path);
  if (v == nullptr) return std::nullopt;
  std::optional<SourceValue> value = ScalarOf(*v);
  if (!value) return std::nullopt;
  std::vector<std::string> tokens;
  SplitPointer(path, tokens);
  std::string canonical = JoinPointer(tokens);
  SourceLocation loc = JsonLocation(canonical);
  return SourceField{std::move(canonical), *value, std::move(loc)};
}

size_t JsonRecord::Count(std::string_view path) const {
  const json::Value* v = Resolve(path);
  if (v == nullptr) return 0;
  return v->IsArray() ? v->items().size() : 1;
}

void JsonRecord::ForEachField(const std::function<void(const SourceField&)>& visit) const {
  std::string pointer;
  Walk(doc_.root(), pointer, nullptr, &visit);
}

}  // namespace workwell::mapping

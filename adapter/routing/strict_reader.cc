#include "adapter/routing/strict_reader.h"

#include <algorithm>
#include <set>

namespace workwell::routing {

std::string StrictReader::Child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (char c : key) {
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

std::string StrictReader::Index(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

void StrictReader::Error(std::string_view pointer, std::string_view message) {
  std::string line = source_ + ": " + (pointer.empty() ? std::string("/") : std::string(pointer)) + ": ";
  line += message;
  errors_.push_back(std::move(line));
}

bool StrictReader::ExpectObject(const json::Value& value, std::string_view pointer,
                                std::initializer_list<std::string_view> allowed,
                                std::initializer_list<std::string_view> required) {
  if (!value.IsObject()) {
    Error(pointer, "expected an object");
    return false;
  }
  std::set<std::string_view> seen;
  for (const json::Member& m : value.members()) {
    if (!seen.insert(m.key).second) {
      Error(Child(pointer, m.key), "duplicate key");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), m.key) == allowed.end()) {
      Error(Child(pointer, m.key), "unknown key");
    }
  }
  for (std::string_view key : required) {
    if (value.Find(key) == nullptr) Error(Child(pointer, key), "required key is missing");
  }
  return true;
}

const json::Value* StrictReader::Array(const json::Value& object, std::string_view pointer,
                                       std::string_view key, bool required) {
  const json::Value* v = object.Find(key);
  if (v == nullptr) {
    if (required) Error(Child(pointer, key), "required key is missing");
    return nullptr;
  }
  if (!v->IsArray()) {
    Error(Child(pointer, key), "expected an array");
    return nullptr;
  }
  return v;
}

bool StrictReader::String(const json::Value& object, std::string_view pointer, std::string_view key,
                          bool required, std::string& out) {
  const json::Value* v = object.Find(key);
  if (v == nullptr) {
    if (required) Error(Child(pointer, key), "required key is missing");
    return false;
  }
  if (!v->IsString() || v->text().empty()) {
    Error(Child(pointer, key), "expected a non-empty string");
    return false;
  }
  out = std::string(v->text());
  return true;
}

bool StrictReader::Bool(const json::Value& object, std::string_view pointer, std::string_view key,
                        bool required, bool& out) {
  const json::Value* v = object.Find(key);
  if (v == nullptr) {
    if (required) Error(Child(pointer, key), "required key is missing");
    return false;
  }
  if (!v->IsBool()) {
    Error(Child(pointer, key), "expected true or false");
    return false;
  }
  out = v->AsBool();
  return true;
}

bool StrictReader::Uint(const json::Value& object, std::string_view pointer, std::string_view key,
                        bool required, uint64_t min, uint64_t max, uint64_t& out) {
  const json::Value* v = object.Find(key);
  if (v == nullptr) {
    if (required) Error(Child(pointer, key), "required key is missing");
    return false;
  }
  std::string_view text = v->text();
  bool digits = v->IsNumber() && !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  uint64_t n = 0;
  if (digits) {
    for (char c : text) n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!digits || n < min || n > max) {
    Error(Child(pointer, key),
          "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  out = n;
  return true;
}

bool StrictReader::StringList(const json::Value& object, std::string_view pointer, std::string_view key,
                              bool required, const std::vector<std::string_view>& allowed,
                              std::vector<std::string>& out) {
  const json::Value* arr = Array(object, pointer, key, required);
  if (arr == nullptr) return false;
  std::string at = Child(pointer, key);
  bool ok = true;
  for (size_t i = 0; i < arr->items().size(); ++i) {
    const json::Value& item = arr->items()[i];
    if (!item.IsString() || item.text().empty()) {
      Error(Index(at, i), "expected a non-empty string");
      ok = false;
      continue;
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), item.text()) == allowed.end()) {
      std::string message = "unknown value \"" + std::string(item.text()) + "\"; expected one of:";
      for (std::string_view a : allowed) message += " " + std::string(a);
      Error(Index(at, i), message);
      ok = false;
      continue;
    }
    out.emplace_back(item.text());
  }
  return ok;
}

}  // namespace workwell::routing

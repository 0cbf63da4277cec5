#include "adapter/api/config_reader.h"

#include <algorithm>
#include <charconv>

namespace workwell::api {

std::string ConfigReader::Child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out.push_back('/');
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void ConfigReader::Error(std::string_view pointer, std::string_view message) {
  std::string line = source_;
  line += ": ";
  line += pointer.empty() ? std::string_view("/") : pointer;
  line += ": ";
  line += message;
  errors_.push_back(std::move(line));
}

bool ConfigReader::ExpectObject(const json::Value& value, std::string_view pointer,
                                std::initializer_list<std::string_view> allowed) {
  if (!value.IsObject()) {
    Error(pointer, "expected an object");
    return false;
  }
  std::vector<std::string_view> seen;
  for (const json::Member& m : value.members()) {
    const std::string where = Child(pointer, m.key);
    if (std::find(allowed.begin(), allowed.end(), m.key) == allowed.end()) {
      Error(where, "unknown key");
    } else if (std::find(seen.begin(), seen.end(), m.key) != seen.end()) {
      Error(where, "duplicate key");
    }
    seen.push_back(m.key);
  }
  return true;
}

bool ParseUint(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text.front() == '0') return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

void ConfigReader::OptionalUint(const json::Value& object, std::string_view pointer,
                                std::string_view key, uint64_t min, uint64_t max, uint64_t& out) {
  const json::Value* v = object.Find(key);
  if (v == nullptr) return;
  const std::string where = Child(pointer, key);
  uint64_t n = 0;
  const bool is_int = v->IsNumber() && ParseUint(v->text(), n);
  if (min == 1) {
    if (!is_int || n < 1) {
      Error(where, "expected a positive integer");
      return;
    }
    if (n > max) {
      Error(where, "expected a positive integer at most " + std::to_string(max));
      return;
    }
  } else if (!is_int || n < min || n > max) {
    Error(where, "expected an integer between " + std::to_string(min) + " and " + std::to_string(max));
    return;
  }
  out = n;
}

void ConfigReader::OptionalString(const json::Value& object, std::string_view pointer,
                                  std::string_view key, std::string& out) {
  const json::Value* v = object.Find(key);
  if (v == nullptr) return;
  if (!v->IsString() || v->text().empty()) {
    Error(Child(pointer, key), "expected a non-empty string");
    return;
  }
  out = std::string(v->text());
}

common::Status ConfigReader::status() const {
  if (errors_.empty()) return common::Status::Ok();
  std::string message;
  for (const std::string& e : errors_) {
    if (!message.empty()) message.push_back('\n');
    message += e;
  }
  return common::InvalidArgument(std::move(message));
}

}  // namespace workwell::api

#pragma once
// Strict reading of one routing config file: unknown keys, duplicate keys and wrong types are
// errors, each recorded as "<file>: <JSON pointer>: <message>" so that one load reports every
// problem. Not thread-safe; one reader per file.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"

namespace workwell::routing {

class StrictReader {
 public:
  // `source` names the file in messages; errors are appended to `errors`, which must outlive
  // the reader.
  StrictReader(std::string source, std::vector<std::string>& errors)
      : source_(std::move(source)), errors_(errors) {}

  // The JSON pointer of member `key` (or array index) under `pointer`, escaped per RFC 6901.
  static std::string Child(std::string_view pointer, std::string_view key);
  static std::string Index(std::string_view pointer, size_t index);

  // Records an error at `pointer` ("" is the document root).
  void Error(std::string_view pointer, std::string_view message);

  // Checks that `value` is an object whose keys are all in `allowed`, none repeated, and that
  // every key in `required` is present. False (after recording) when it is not an object.
  bool ExpectObject(const json::Value& value, std::string_view pointer,
                    std::initializer_list<std::string_view> allowed,
                    std::initializer_list<std::string_view> required = {});
  // The array member `key`, or nullptr (recording an error when present but not an array, or
  // absent and `required`).
  const json::Value* Array(const json::Value& object, std::string_view pointer, std::string_view key,
                           bool required);
  // A non-empty string member; false (recording when `required` or mistyped) when absent.
  bool String(const json::Value& object, std::string_view pointer, std::string_view key, bool required,
              std::string& out);
  // A boolean member; false when absent.
  bool Bool(const json::Value& object, std::string_view pointer, std::string_view key, bool required,
            bool& out);
  // A non-negative integer member in [min, max]; false when absent.
  bool Uint(const json::Value& object, std::string_view pointer, std::string_view key, bool required,
            uint64_t min, uint64_t max, uint64_t& out);
  // An array of non-empty strings, each optionally limited to `allowed` (empty: any).
  bool StringList(const json::Value& object, std::string_view pointer, std::string_view key, bool required,
                  const std::vector<std::string_view>& allowed, std::vector<std::string>& out);

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::string>& errors_;
};

}  // namespace workwell::routing

#pragma once
// Strict reading of JSON config: unknown keys, duplicate keys, wrong types and out-of-range
// values are errors, each reported as "<source>: <JSON pointer>: <message>", e.g.
// "config/gateway.json: /server/limits/maxBodyBytes: expected a positive integer".
// Errors are collected so one run reports all of them. Not thread-safe; one per load.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"

namespace workwell::api {

class ConfigReader {
 public:
  // `source` names the file in messages.
  explicit ConfigReader(std::string source) : source_(std::move(source)) {}

  // The JSON pointer of member `key` under `pointer` (escaping "~" and "/", RFC 6901).
  static std::string Child(std::string_view pointer, std::string_view key);

  // Records an error at `pointer` ("" is the document root).
  void Error(std::string_view pointer, std::string_view message);

  // Checks that `value` is an object whose keys are all in `allowed`, none repeated. Returns false
  // (after recording an error) when it is not an object.
  bool ExpectObject(const json::Value& value, std::string_view pointer,
                    std::initializer_list<std::string_view> allowed);

  // When `object` has member `key`, requires an integer in [min, max] and stores it in `out`;
  // when absent, leaves `out` (the default) alone.
  void OptionalUint(const json::Value& object, std::string_view pointer, std::string_view key,
                    uint64_t min, uint64_t max, uint64_t& out);
  // When `object` has member `key`, requires a non-empty string and stores it in `out`.
  void OptionalString(const json::Value& object, std::string_view pointer, std::string_view key,
                      std::string& out);

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  // Ok, or InvalidArgument carrying every error, one per line.
  common::Status status() const;

 private:
  std::string source_;
  std::vector<std::string> errors_;
};

// Parses a non-negative decimal integer written without sign, fraction or exponent.
bool ParseUint(std::string_view text, uint64_t& out);

}  // namespace workwell::api

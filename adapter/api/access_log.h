#pragma once
// The access log: one structured line per request, without bodies or query values.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace workwell::api {

// What is logged about one request.
struct AccessLogEntry {
  std::chrono::system_clock::time_point time;  // when the request started
  std::string request_id;
  std::string correlation_id;
  std::string method;
  std::string target;  // raw request-target; query values are removed when formatting
  int status = 0;
  uint64_t bytes_in = 0;   // request header and body bytes read
  uint64_t bytes_out = 0;  // response bytes written
  int64_t duration_us = 0;
  std::string peer;
  std::string client_id;  // the authenticated API client; "" when none (logged only when set)
};

// "/Patient?name=smith&_count=5" -> "/Patient?name=&_count=": keeps the path and the parameter
// names, drops the values (they may carry identifiers such as an NHS number).
std::string RedactQueryValues(std::string_view target);

// The JSON line for `entry` (event "http_request").
std::string FormatAccessLog(const AccessLogEntry& entry);

}  // namespace workwell::api

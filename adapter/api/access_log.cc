#include "adapter/api/access_log.h"

#include "adapter/api/log.h"

namespace workwell::api {

std::string RedactQueryValues(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view rest = target.substr(q + 1);
  bool first = true;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    if (!first) out.push_back('&');
    first = false;
    const size_t eq = pair.find('=');
    out.append(pair.substr(0, eq));
    if (eq != std::string_view::npos) out.push_back('=');
  }
  return out;
}

std::string FormatAccessLog(const AccessLogEntry& e) {
  const std::string path = RedactQueryValues(e.target);
  if (!e.client_id.empty()) {
    return FormatLogLine(e.time, "info", "http_request",
                         {{"requestId", e.request_id},
                          {"correlationId", e.correlation_id},
                          {"method", e.method},
                          {"path", path},
                          {"status", int64_t{e.status}},
                          {"bytesIn", static_cast<int64_t>(e.bytes_in)},
                          {"bytesOut", static_cast<int64_t>(e.bytes_out)},
                          {"durationUs", e.duration_us},
                          {"peer", e.peer},
                          {"clientId", e.client_id}});
  }
  return FormatLogLine(e.time, "info", "http_request",
                       {{"requestId", e.request_id},
                        {"correlationId", e.correlation_id},
                        {"method", e.method},
                        {"path", path},
                        {"status", int64_t{e.status}},
                        {"bytesIn", static_cast<int64_t>(e.bytes_in)},
                        {"bytesOut", static_cast<int64_t>(e.bytes_out)},
                        {"durationUs", e.duration_us},
                        {"peer", e.peer}});
}

}  // namespace workwell::api

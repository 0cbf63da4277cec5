#pragma once
// Structured logging: one JSON object per line on stderr. Lines are written whole (one write per
// line under a mutex), so concurrent threads never interleave. Never log request bodies.

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace workwell::api {

// Receives finished log lines (without the trailing newline). Must be thread-safe.
using LogSink = std::function<void(std::string_view line)>;

// The default sink: writes `line` and a newline to stderr in one call. Thread-safe.
void WriteStderrLine(std::string_view line);

// One key/value of a log line; integers stay numbers in the JSON.
struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t> value;
};

// "2025-01-31T12:34:56.123456Z": ISO-8601 UTC with microseconds.
std::string FormatUtcMicros(std::chrono::system_clock::time_point t);
// "2025-01-31T12:34:56Z": ISO-8601 UTC to the second (a FHIR dateTime).
std::string FormatUtcSeconds(std::chrono::system_clock::time_point t);

// Renders {"time":..., "level":..., "event":..., <fields>...} as one compact JSON line.
std::string FormatLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view event, std::initializer_list<LogField> fields);

// Formats a line stamped with the current time and writes it to stderr.
void LogEvent(std::string_view level, std::string_view event, std::initializer_list<LogField> fields);

}  // namespace workwell::api

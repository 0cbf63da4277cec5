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

// Personal data in log lines. Off (the default), every string field of every line passes through
// RedactPersonalData; on only while debugging (serve reads WORKWELL_LOG_PERSONAL_DATA=1 at start
// and warns that it is on). Set before threads start; read without locking.
void SetLogPersonalData(bool on);
bool LogPersonalData();

// `text` with every NHS-number-shaped group of ten digits (also written 3 3 4 with spaces or
// hyphens), not part of a longer number or a word, replaced by "[nhs-number]", and the contents of
// every quoted value ('...' or "...", where record values such as names appear in messages)
// replaced by "[redacted]".
std::string RedactPersonalData(std::string_view text);

// Renders {"time":..., "level":..., "event":..., <fields>...} as one compact JSON line.
std::string FormatLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view event, std::initializer_list<LogField> fields);

// Formats a line stamped with the current time and writes it to stderr.
void LogEvent(std::string_view level, std::string_view event, std::initializer_list<LogField> fields);

}  // namespace workwell::api

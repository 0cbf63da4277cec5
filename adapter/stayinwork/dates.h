#pragma once
// Calendar dates for the lifecycle's rules: FHIR date / dateTime text to a day number and back,
// and the instant form the caller's clock must use. Pure; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace workwell::stayinwork {

// The calendar day of a FHIR date or dateTime ("2026-11-16", "2026-11-16T10:00:00+00:00") as
// days since 1970-01-01, taken from the date as written (the offset is not applied: the gateway
// works in UK local dates). nullopt for partial dates (year, year-month) and malformed text.
std::optional<int64_t> DayNumber(std::string_view date_or_datetime);

// "YYYY-MM-DD" of a day number.
std::string FormatDay(int64_t day);

// True for a FHIR instant: YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm).
bool IsInstant(std::string_view text);

}  // namespace workwell::stayinwork

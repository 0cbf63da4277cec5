#pragma once
// Value transforms used by mapping rules: dates and date-times (ISO 8601, UK dd/mm/yyyy, HL7 v2
// DTM; Europe/London local times given their GMT/BST offset), text normalisation, NHS numbers
// (Modulus 11), ODS codes, postcodes, booleans and the canonical spelling of UK identifier
// systems. Pure functions of their arguments; safe from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace workwell::mapping {

// Removes leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view s);
// Trims and replaces every run of inner whitespace (spaces, tabs, line breaks) by one space.
std::string CollapseSpaces(std::string_view s);
// ASCII case mapping (other bytes unchanged).
std::string ToUpper(std::string_view s);
std::string ToLower(std::string_view s);

// The UTC offset, in minutes, that Europe/London applies to the given local wall-clock time:
// 60 during British Summer Time (from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
// last Sunday of October), otherwise 0. A local time that falls in the spring-forward gap does
// not exist: `in_gap` is set and 0 is returned (the time is then read as GMT). A time repeated
// in the autumn is read as its first occurrence (BST).
int LondonOffsetMinutes(int year, int month, int day, int hour, int minute, bool* in_gap = nullptr);

// The day of the month of the last Sunday of `month` in `year`.
int LastSunday(int year, int month);

// Reads a civil date written as YYYY-MM-DD, dd/mm/yyyy (UK order, never US) or YYYYMMDD (HL7)
// and returns YYYY-MM-DD; the date must exist in the calendar. Partial ISO dates (YYYY,
// YYYY-MM) pass unchanged. On failure returns nullopt and says why.
std::optional<std::string> NormaliseDate(std::string_view text, std::string* why);

// Reads a date-time and returns an ISO 8601 dateTime with seconds and an offset
// (2026-03-29T02:30:00+01:00). Accepted: ISO 8601 with or without an offset ("Z" becomes
// "+00:00"), "dd/mm/yyyy HH:MM[:SS]", and HL7 DTM YYYYMMDDHHMM[SS][+/-ZZZZ]. A time without an
// offset is Europe/London local time. A bare date is returned as a date.
std::optional<std::string> NormaliseDateTime(std::string_view text, std::string* why);

// True when `digits` is 10 digits passing the NHS Modulus 11 check (weights 10..2 on the first
// nine digits; check digit = 11 - sum mod 11; 11 means 0; 10 is never valid).
bool NhsNumberValid(std::string_view digits);

// Strips spaces and dashes and checks the result with NhsNumberValid.
std::optional<std::string> NormaliseNhsNumber(std::string_view text, std::string* why);

// Trims and upper-cases an ODS code and checks it is 3 to 6 letters or digits.
std::optional<std::string> NormaliseOdsCode(std::string_view text, std::string* why);

// Upper-cases a UK postcode and puts a single space before the inward code ("wv23bs" -> "WV2 3BS").
std::optional<std::string> NormalisePostcode(std::string_view text, std::string* why);

// Reads Y/N, yes/no, true/false, 1/0 (any case).
std::optional<bool> ParseBoolean(std::string_view text);

// The canonical spelling of a UK identifier system: the variants seen in real traffic
// (http instead of https, /id/ instead of /Id/, a trailing slash, upper-case host) of the NHS
// England, HL7 UK and WorkWell systems become the one published form; other URIs are returned
// unchanged.
std::string CanonicalIdentifierSystem(std::string_view system);

// Splits on `separator` (trimming each part; empty parts are kept, so parts pair by position).
std::vector<std::string> SplitParts(std::string_view text, char separator);

}  // namespace workwell::mapping

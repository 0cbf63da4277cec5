#pragma once
// Lexical rules of the FHIR R4 primitive types and the JSON kind each one is written as.
// https://hl7.org/fhir/R4/datatypes.html#primitive and https://hl7.org/fhir/R4/json.html#primitive

#include <optional>
#include <string>
#include <string_view>

namespace workwell::fhir {

enum class PrimitiveType {
  kBoolean, kInteger, kDecimal, kPositiveInt, kUnsignedInt,
  kString, kMarkdown, kCode, kId, kUri, kUrl, kCanonical, kOid, kUuid,
  kBase64Binary, kInstant, kDate, kDateTime, kTime, kXhtml,
};

enum class JsonShape { kBoolean, kNumber, kString };

// The primitive type named `name` ("dateTime", ...), if it is one.
std::optional<PrimitiveType> PrimitiveTypeFromName(std::string_view name);
const char* PrimitiveTypeName(PrimitiveType t);
// How the type is written in JSON: booleans as true/false, the integer and decimal types as
// numbers, everything else as strings.
JsonShape JsonShapeOf(PrimitiveType t);

// Checks `text` (a JSON string's content or a JSON number's text) against the lexical form of
// `t`. On failure returns false and sets `why` to a sentence naming the rule broken.
bool CheckLexical(PrimitiveType t, std::string_view text, std::string* why);

// Calendar checks shared with date arithmetic: days in a month of a (proleptic Gregorian) year.
int DaysInMonth(int year, int month);

}  // namespace workwell::fhir

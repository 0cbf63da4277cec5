#pragma once
// Small, pure helpers behind the QuestionnaireResponse rules: exact decimal comparison on number
// text, decimal places, partial date/time ordering, a table of simple UCUM units, and the lexical
// checks on uri and Reference.reference answers. All functions are thread-safe and allocate only
// what they return.

#include <optional>
#include <string>
#include <string_view>

#include "adapter/common/json/json.h"

namespace workwell::validation::questionnaire {

// Compares two JSON number texts exactly (no floating point): -1, 0 or 1. Returns nullopt when
// either text is not a plain decimal ("1", "-2.50", "3e2" is accepted and scaled).
std::optional<int> CompareDecimal(std::string_view a, std::string_view b);

// Digits after the decimal point as written ("1.50" → 2, "7" → 0). For exponent forms the
// effective number of fractional digits ("1.25e1" → 1).
int DecimalPlaces(std::string_view number_text);

// Orders two FHIR date, dateTime or time texts on their common precision: -1, 0 or 1. Texts of
// different precision that agree on the shared prefix compare equal. Time zones are ignored.
// Returns nullopt when either text does not look like a date or time.
std::optional<int> ComparePartialDateTime(std::string_view a, std::string_view b);

// A value converted to the base unit of a small UCUM table (m, g, L, s and their common
// multiples and customary units). `dimension` names the base ("m", "g", "L", "s").
struct CanonicalQuantity {
  long double value = 0;
  std::string dimension;
};

// Converts `number_text` in UCUM unit `code` to its base unit; nullopt when the unit is not in
// the table or the number cannot be read.
std::optional<CanonicalQuantity> ToCanonicalUcum(std::string_view number_text, std::string_view code);

// True for a urn:uuid: value whose UUID is well formed and lower case.
bool IsValidUuidUrn(std::string_view uri);
// True for a urn:oid: value whose OID is well formed (e.g. urn:oid:1.2.840.10008).
bool IsValidOidUrn(std::string_view uri);

// True when `reference` is lexically usable as Reference.reference: a fragment (#id), a urn:,
// a relative [type]/[id] or an absolute URL, without whitespace or characters URLs forbid.
bool IsValidReferenceSyntax(std::string_view reference);

// The resource type a literal reference names, as the segment before the id (optionally before
// /_history/[vid]), when that segment looks like a type name (an upper-case letter then
// letters/digits). Empty for fragments, urns, and references that name no type.
std::string ReferenceResourceType(std::string_view reference);

// Whether `value_set` (a ValueSet JSON object) contains system|code, judged only from what the
// resource enumerates: expansion.contains, compose.include with listed concepts, or whole code
// systems. nullopt when membership depends on filters (on the code's system), imported value
// sets or excludes, which cannot be evaluated here.
std::optional<bool> EnumeratedValueSetContains(const json::Value& value_set, std::string_view system,
                                               std::string_view code);

}  // namespace workwell::validation::questionnaire

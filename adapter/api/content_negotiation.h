#pragma once
// FHIR content negotiation: the Accept header and the _format parameter choose the response
// format; the gateway serves JSON only. https://hl7.org/fhir/R4/http.html#mime-type and
// https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1. Pure functions, thread-safe.

#include <optional>
#include <string_view>
#include <vector>
#include <string>

namespace workwell::api {

// Chooses the Content-Type for the response from `accept` (the Accept header, if any) and
// `format` (the _format query parameter, if any; it overrides Accept). Returns kFhirJson
// (preferred) or kPlainJson when the client only accepts application/json, or nullopt when
// nothing acceptable is served (answer 406).
// Accepted: absent, */*, application/*, application/fhir+json, application/json, json, with
// q-values and an optional fhirVersion=4.0 parameter (any other fhirVersion is not served).
std::optional<std::string_view> NegotiateResponseType(std::optional<std::string_view> accept,
                                                      std::optional<std::string_view> format);

// The media type of a Content-Type value, lower-cased, parameters and whitespace removed
// ("Application/FHIR+JSON; charset=utf-8" -> "application/fhir+json").
std::string MediaTypeOf(std::string_view content_type);

// True when `content_type` names one of `allowed` (media types without parameters).
// An empty `allowed` accepts anything.
bool IsAllowedMediaType(std::string_view content_type, const std::vector<std::string>& allowed);

}  // namespace workwell::api

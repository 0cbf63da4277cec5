#pragma once
// The handler side of POST /$translate: a dry run that translates one source record and returns
// the Bundle or the OperationOutcome, storing nothing. The API module registers the route and
// passes the request's Content-Type, its `format` parameter and the body; this function needs no
// HTTP types, so the mapping module stays below the API in the layering.

#include <string>
#include <string_view>

#include "adapter/mapping/engine/translator.h"

namespace workwell::mapping {

// What the route answers.
struct HttpAnswer {
  int status = 200;          // 200 Bundle; 400 unknown format; 415 unusable Content-Type; 422 rejected record
  std::string content_type;  // "application/fhir+json" (or "application/fhir+ndjson" for a CSV extract)
  std::string body;
};

// The --format name a request asks for: `format_param` when given, else from the Content-Type
// (text/csv -> fitnote-csv; x-application/hl7-v2+er7 or application/hl7-v2 -> ref-i12;
// application/fhir+json -> fhir). Empty when neither says.
std::string FormatForRequest(std::string_view content_type, std::string_view format_param);

// Translates `body` as the request asks. A CSV extract with several rows gives one line per row
// (Bundle or OperationOutcome) as NDJSON. Thread-safe; `translator` must outlive the call.
HttpAnswer TranslateHttp(const Translator& translator, std::string_view content_type, std::string_view format_param,
                         std::string_view body);

}  // namespace workwell::mapping

#pragma once
// POST /$translate over HTTP: a dry run of the mapping engine that turns one source record (fit
// note or referral JSON, HL7 v2 REF^I12, a CSV extract, or a FHIR Bundle) into a FHIR Bundle, or
// rejects it with an OperationOutcome whose issues name the source location. Nothing is stored.
// docs/MAPPING.md describes the formats; mapping::TranslateHttp does the work.

#include <memory>
#include <string_view>

#include "adapter/api/router.h"
#include "adapter/common/status.h"
#include "adapter/mapping/engine/translator.h"

namespace workwell::app {

// The canonical of the project's OperationDefinition for $translate, as advertised in /metadata.
inline constexpr std::string_view kTranslateDefinition =
    "https://fhir.workwell.nhs.uk/OperationDefinition/translate";

// Registers POST /$translate. The format comes from the `format` query parameter (fitnote-json,
// referral-json, ref-i12, fitnote-csv, fhir) or from the Content-Type (text/csv,
// x-application/hl7-v2+er7, application/hl7-v2, application/fhir+json); application/json needs
// the parameter. Answers 200 with the Bundle (application/fhir+ndjson, one line per row, for a
// CSV extract of several rows), 422 with the OperationOutcome for a rejected record, 400 for an
// unknown format and 415 when the format cannot be told. `translator` is shared by every request
// and lives as long as the route. Status as for api::Router::Add.
common::Status AddTranslateRoute(api::Router& router, std::shared_ptr<const mapping::Translator> translator);

}  // namespace workwell::app

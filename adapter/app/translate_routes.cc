#include "adapter/app/translate_routes.h"

#include <string>
#include <utility>

#include "adapter/mapping/engine/translate_http.h"

namespace workwell::app {

common::Status AddTranslateRoute(api::Router& router, std::shared_ptr<const mapping::Translator> translator) {
  api::Route route;
  route.method = "POST";
  route.pattern = "/$translate";
  route.capability = api::Capability::Operation("translate", std::string(kTranslateDefinition));
  route.permission = security::Permission::kRead;  // a dry run: nothing is stored
  route.capability.documentation =
      "Dry run: translates one source record (format parameter or Content-Type) into a FHIR Bundle; stores nothing";
  // What mapping::FormatForRequest understands, plus plain JSON with a format parameter.
  route.request_media_types = {"application/json",        "application/fhir+json",    "text/csv",
                               "x-application/hl7-v2+er7", "application/hl7-v2",       "application/hl7-v2+er7"};
  route.handler = [translator](const api::Request& req) {
    const mapping::HttpAnswer answer =
        mapping::TranslateHttp(*translator, req.Header("content-type").value_or(""),
                               req.QueryParam("format").value_or(""), req.body);
    api::Response r = api::Response::Resource(answer.status, answer.body);
    // FHIR JSON follows the negotiated type (left empty); NDJSON is named as it is.
    if (answer.content_type != "application/fhir+json") r.content_type = answer.content_type;
    return r;
  };
  return router.Add(std::move(route));
}

}  // namespace workwell::app

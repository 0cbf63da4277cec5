#include "adapter/app/validate_routes.h"

#include "adapter/fhir/issue.h"
#include "adapter/fhir/json_format.h"

namespace workwell::app {
namespace {

constexpr std::string_view kValidateDefinition = "http://hl7.org/fhir/OperationDefinition/Resource-validate";

std::string_view Text(const json::Value* v) { return v != nullptr && v->IsString() ? v->text() : std::string_view(); }

api::Response OutcomeResponse(int status, const fhir::IssueSink& sink) {
  return api::Response::Resource(status, fhir::RenderOperationOutcome(sink.issues()));
}

}  // namespace

api::Response HandleValidate(const validation::Validator& validator, std::string_view type, std::string_view body,
                             std::string_view profile_query) {
  json::Document doc;
  json::ParseError err;
  if (!json::Parse(body, validator.parse_options().limits, doc, err)) {
    fhir::IssueSink sink;
    fhir::Resource ignored;
    validator.format().Parse(body, validator.parse_options(), ignored, sink);  // renders the located JSON error
    return OutcomeResponse(400, sink);
  }
  std::vector<std::string> profiles;
  if (!profile_query.empty()) profiles.emplace_back(profile_query);
  // A Parameters body carries the resource, the profile and the mode.
  const json::Value* target = &doc.root();
  if (Text(doc.root().Find("resourceType")) == "Parameters") {
    const json::Value* params = doc.root().Find("parameter");
    const json::Value* resource = nullptr;
    if (params != nullptr) {
      for (const json::Value& p : params->items()) {
        const std::string_view name = Text(p.Find("name"));
        if (name == "resource") resource = p.Find("resource");
        if (name == "profile") {
          std::string_view url = Text(p.Find("valueUri"));
          if (url.empty()) url = Text(p.Find("valueCanonical"));
          if (!url.empty()) profiles.emplace_back(url);
        }
        if (name == "mode" && Text(p.Find("valueCode")) == "delete") {
          return api::Response::Resource(200, fhir::RenderOperationOutcome({}));
        }
      }
    }
    if (resource != nullptr) target = resource;
  }
  fhir::IssueSink sink;
  if (!type.empty() && Text(target->Find("resourceType")) != type) {
    sink.Error("invalid", "resourceType",
               "the resource to validate is a " + std::string(Text(target->Find("resourceType"))) + ", not a " +
                   std::string(type));
    return OutcomeResponse(400, sink);
  }
  json::Document own;
  own.set_root(json::Clone(*target, own));
  fhir::Resource resource;
  if (validator.format().Adopt(std::move(own), validator.parse_options(), resource, sink)) {
    validator.Validate(resource, profiles, sink);
  }
  return OutcomeResponse(200, sink);
}

common::Status AddValidateRoutes(api::Router& router, std::shared_ptr<const validation::Validator> validator) {
  api::Route system;
  system.method = "POST";
  system.pattern = "/$validate";
  system.permission = security::Permission::kRead;  // validation stores nothing
  system.capability = api::Capability::Operation("validate", std::string(kValidateDefinition));
  system.handler = [validator](const api::Request& q) {
    return HandleValidate(*validator, {}, q.body, q.QueryParam("profile").value_or(std::string_view()));
  };
  if (common::Status s = router.Add(std::move(system)); !s.ok()) return s;

  api::Route typed;
  typed.method = "POST";
  typed.pattern = "/[type]/$validate";
  typed.permission = security::Permission::kRead;
  typed.resource_types = validator->model().ResourceNames();
  typed.capability = api::Capability::Operation("validate", std::string(kValidateDefinition));
  typed.handler = [validator](const api::Request& q) {
    return HandleValidate(*validator, q.PathParam("type"), q.body, q.QueryParam("profile").value_or(std::string_view()));
  };
  return router.Add(std::move(typed));
}

}  // namespace workwell::app

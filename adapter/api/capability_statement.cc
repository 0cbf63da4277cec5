#include "adapter/api/capability_statement.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "adapter/common/json/json.h"

namespace workwell::api {
namespace {

// What one level (system or one resource type) supports, in registration order, deduplicated.
struct Level {
  std::vector<std::string> interactions;
  std::vector<const SearchParam*> search_params;
  std::vector<const Capability*> operations;

  void Add(const Capability& cap) {
    if (cap.kind == Capability::Kind::kInteraction) {
      if (std::find(interactions.begin(), interactions.end(), cap.name) == interactions.end()) {
        interactions.push_back(cap.name);
      }
      for (const SearchParam& p : cap.search_params) {
        const bool seen = std::any_of(search_params.begin(), search_params.end(),
                                      [&](const SearchParam* q) { return q->name == p.name; });
        if (!seen) search_params.push_back(&p);
      }
    } else if (cap.kind == Capability::Kind::kOperation) {
      const bool seen = std::any_of(operations.begin(), operations.end(), [&](const Capability* o) {
        return o->name == cap.name && o->definition == cap.definition;
      });
      if (!seen) operations.push_back(&cap);
    }
  }
};

void WriteOperations(json::Builder& b, const Level& level) {
  if (level.operations.empty()) return;
  b.Key("operation").StartArray();
  for (const Capability* op : level.operations) {
    b.StartObject().Key("name").String(op->name).Key("definition").String(op->definition);
    if (!op->documentation.empty()) b.Key("documentation").String(op->documentation);
    b.EndObject();
  }
  b.EndArray();
}

void WriteInteractions(json::Builder& b, const Level& level) {
  if (level.interactions.empty()) return;
  b.Key("interaction").StartArray();
  for (const std::string& code : level.interactions) {
    b.StartObject().Key("code").String(code).EndObject();
  }
  b.EndArray();
}

}  // namespace

std::string BuildCapabilityStatement(const Router& router, const CapabilityOptions& options) {
  Level system;
  std::map<std::string, Level> types;  // sorted by type name
  for (const Route* route : router.routes()) {
    if (route->capability.kind == Capability::Kind::kNone) continue;
    if (route->resource_types.empty()) {
      system.Add(route->capability);
    } else {
      for (const std::string& t : route->resource_types) types[t].Add(route->capability);
    }
  }

  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("resourceType").String("CapabilityStatement");
  b.Key("name").String("WorkWellGateway");
  b.Key("status").String("active");
  b.Key("experimental").Bool(false);
  b.Key("date").String(options.date);
  b.Key("publisher").String(options.publisher);
  b.Key("kind").String("instance");
  b.Key("software").StartObject();
  b.Key("name").String(options.software_name).Key("version").String(options.software_version);
  b.EndObject();
  b.Key("implementation").StartObject();
  b.Key("description").String(options.implementation_description);
  if (!options.implementation_url.empty()) b.Key("url").String(options.implementation_url);
  b.EndObject();
  b.Key("fhirVersion").String("4.0.1");
  b.Key("format").StartArray().String("application/fhir+json").String("json").EndArray();
  b.Key("rest").StartArray().StartObject();
  b.Key("mode").String("server");
  if (!options.oauth_token_url.empty()) {
    // https://hl7.org/fhir/R4/capabilitystatement-definitions.html#CapabilityStatement.rest.security
    // No oauth-uris extension: it requires an authorize endpoint, which backend services do not
    // have; clients discover the token endpoint at /.well-known/smart-configuration.
    b.Key("security").StartObject();
    b.Key("service").StartArray().StartObject();
    b.Key("coding").StartArray().StartObject();
    b.Key("system").String("http://terminology.hl7.org/CodeSystem/restful-security-service");
    b.Key("code").String("SMART-on-FHIR");
    b.EndObject().EndArray();
    b.EndObject().EndArray();
    b.Key("description").String("Bearer tokens from " + options.oauth_token_url +
                                " for signed-JWT client assertions (SMART Backend Services, client_credentials, "
                                "system scopes); discovery at /.well-known/smart-configuration");
    b.EndObject();
  } else if (options.authentication_disabled) {
    b.Key("security").StartObject();
    b.Key("description").String(
        "AUTHENTICATION IS DISABLED (security.authentication = disabled-insecure): every caller can read and "
        "write everything. For local development only.");
    b.EndObject();
  }
  if (!types.empty()) {
    b.Key("resource").StartArray();
    for (const auto& [type, level] : types) {
      b.StartObject().Key("type").String(type);
      WriteInteractions(b, level);
      if (!level.search_params.empty()) {
        b.Key("searchParam").StartArray();
        for (const SearchParam* p : level.search_params) {
          b.StartObject().Key("name").String(p->name);
          if (!p->definition.empty()) b.Key("definition").String(p->definition);
          b.Key("type").String(p->type);
          if (!p->documentation.empty()) b.Key("documentation").String(p->documentation);
          b.EndObject();
        }
        b.EndArray();
      }
      WriteOperations(b, level);
      b.EndObject();
    }
    b.EndArray();
  }
  WriteInteractions(b, system);
  WriteOperations(b, system);
  b.EndObject().EndArray();
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

common::Status AddMetadataRoute(Router& router, CapabilityOptions options) {
  Route route;
  route.method = "GET";
  route.pattern = "/metadata";
  route.public_route = true;  // capability discovery comes before authentication
  route.handler = [&router, options = std::move(options)](const Request&) {
    return Response::Resource(200, BuildCapabilityStatement(router, options));
  };
  return router.Add(std::move(route));
}

common::Status AddVersionsOperation(Router& router) {
  const auto handler = [](const Request& request) {
    if (!request.body.empty()) {
      json::Document doc;
      json::ParseError error;
      const bool parsed = json::Parse(request.body, json::Limits{}, doc, error);
      const json::Value* type = parsed ? doc.root().Find("resourceType") : nullptr;
      if (type == nullptr || !type->IsString() || type->text() != "Parameters") {
        return Response::Outcome(400, fhir::Severity::kError, "invalid",
                                 "the $versions body must be a Parameters resource");
      }
    }
    return Response::Resource(
        200,
        R"({"resourceType":"Parameters","parameter":[{"name":"version","valueCode":"4.0"},)"
        R"({"name":"default","valueCode":"4.0"}]})");
  };
  for (const char* method : {"GET", "POST"}) {
    Route route;
    route.method = method;
    route.pattern = "/$versions";
    route.public_route = true;
    route.handler = handler;
    route.capability = Capability::Operation("versions", std::string(kVersionsDefinition));
    route.capability.documentation = "The FHIR versions this server supports";
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  return common::Status::Ok();
}

}  // namespace workwell::api

#include "adapter/app/audit.h"

#include <string_view>

#include "adapter/api/log.h"
#include "adapter/common/json/json.h"
#include "adapter/delivery/bars_message.h"
#include "adapter/store/search_params.h"

namespace workwell::app {
namespace {

bool NotAudited(std::string_view pattern) {
  return pattern == "/healthz" || pattern == "/readyz" || pattern == "/metrics" || pattern == "/metadata" ||
         pattern == "/$versions" || pattern == "/.well-known/smart-configuration";
}

// R4 restful-interaction code and AuditEvent.action for a request.
std::pair<std::string, std::string> Interaction(const api::Request& request, const api::Route* route) {
  if (route != nullptr && route->capability.kind == api::Capability::Kind::kInteraction) {
    const std::string& name = route->capability.name;
    if (name == "create") return {name, "C"};
    if (name == "update" || name == "patch") return {name, "U"};
    if (name == "delete") return {name, "D"};
    if (name == "read" || name == "vread" || name.starts_with("history")) return {name, "R"};
    return {name, "E"};  // search-type, search-system, transaction, batch
  }
  if (route != nullptr && route->capability.kind == api::Capability::Kind::kOperation) return {"operation", "E"};
  if (request.method == "GET") return {"read", "R"};
  return {"operation", "E"};
}

void Coding(json::Builder& b, std::string_view system, std::string_view code, std::string_view display = {}) {
  b.StartObject().Key("system").String(system).Key("code").String(code);
  if (!display.empty()) b.Key("display").String(display);
  b.EndObject();
}

void Source(json::Builder& b) {
  b.Key("source").StartObject();
  b.Key("observer").StartObject().Key("display").String("WorkWell gateway").EndObject();
  b.Key("type").StartArray();
  Coding(b, "http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server");
  b.EndArray();
  b.EndObject();
}

std::string OutcomeCode(int status) { return status < 400 ? "0" : status < 500 ? "4" : "8"; }

}  // namespace

std::string AuditRecorder::EventFor(const api::Request& request, const api::Response& response, const api::Route* route,
                                    const std::string& now) const {
  const bool refused = response.status == 401 || response.status == 403;
  if (route == nullptr && !refused) return {};
  if (route != nullptr && NotAudited(route->pattern) && !refused) return {};
  const auto [interaction, action] = Interaction(request, route);
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("resourceType").String("AuditEvent");
  b.Key("type");
  Coding(b, "http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation");
  b.Key("subtype").StartArray();
  Coding(b, "http://hl7.org/fhir/restful-interaction", interaction);
  b.EndArray();
  b.Key("action").String(action);
  b.Key("recorded").String(now);
  b.Key("outcome").String(OutcomeCode(response.status));
  b.Key("outcomeDesc").String(std::to_string(response.status) + " " + std::string(api::ReasonPhrase(response.status)) +
                              " " + request.method + " " + request.path);
  b.Key("agent").StartArray().StartObject();
  // The authenticated client; on a 403 the dispatcher names it on the response only.
  const std::string client = request.principal ? request.principal->client_id : response.client_id;
  if (!client.empty()) {
    b.Key("who").StartObject().Key("identifier").StartObject();
    b.Key("system").String(kClientIdSystem).Key("value").String(client);
    b.EndObject().EndObject();
    b.Key("altId").String(client);
  } else {
    b.Key("who").StartObject().Key("display").String(refused ? "unauthenticated caller" : "caller (no authentication)").EndObject();
  }
  b.Key("requestor").Bool(true);
  if (const size_t colon = request.peer.rfind(':'); colon != std::string::npos && colon > 0) {
    b.Key("network").StartObject().Key("address").String(request.peer.substr(0, colon)).Key("type").String("2").EndObject();
  }
  b.EndObject().EndArray();
  Source(b);
  // What was touched: the resource in the path, what the answer names (Location), the query.
  std::string what;
  const std::string_view type = request.PathParam("type");
  const std::string_view id = request.PathParam("id");
  if (!type.empty() && !id.empty()) what = std::string(type) + "/" + std::string(id);
  if (what.empty() && route != nullptr && route->resource_types.size() == 1 && !id.empty()) {
    what = route->resource_types.front() + "/" + std::string(id);
  }
  for (const auto& [name, value] : response.headers) {
    if (what.empty() && (name == "Location" || name == "Content-Location")) {
      std::string_view v = value;
      if (const size_t h = v.find("/_history"); h != std::string_view::npos) v = v.substr(0, h);
      if (const size_t scheme = v.find("://"); scheme != std::string_view::npos) {
        const size_t path = v.find('/', scheme + 3);
        v = path == std::string_view::npos ? std::string_view() : v.substr(path + 1);
      }
      what = std::string(v);
    }
  }
  const size_t q = request.target.find('?');
  if (!what.empty() || q != std::string::npos) {
    b.Key("entity").StartArray().StartObject();
    if (!what.empty()) b.Key("what").StartObject().Key("reference").String(what).EndObject();
    if (q != std::string::npos && q + 1 < request.target.size()) {
      b.Key("query").String(delivery::Base64Encode(request.target.substr(q + 1)));
    }
    b.EndObject().EndArray();
  }
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

std::string AuditRecorder::DeliveryEvent(const store::OutboxEntry& entry, delivery::DeliveryEvent event,
                                         const std::string& detail, const std::string& now) const {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("resourceType").String("AuditEvent");
  b.Key("type");
  Coding(b, "http://dicom.nema.org/resources/ontology/DCM", "110106", "Export");
  b.Key("action").String("E");
  b.Key("recorded").String(now);
  b.Key("outcome").String(event == delivery::DeliveryEvent::kDelivered ? "0" : "4");
  std::string desc = std::string(event == delivery::DeliveryEvent::kDelivered ? "delivered" : "not delivered") +
                     " to " + entry.destination + " after " + std::to_string(entry.attempts) + " attempt(s)";
  if (event != delivery::DeliveryEvent::kDelivered) desc += ": " + detail.substr(0, 300);
  b.Key("outcomeDesc").String(desc);
  b.Key("agent").StartArray().StartObject();
  b.Key("who").StartObject().Key("display").String("WorkWell gateway delivery").EndObject();
  b.Key("altId").String("gateway-delivery");
  b.Key("requestor").Bool(false);
  b.EndObject().EndArray();
  Source(b);
  b.Key("entity").StartArray().StartObject();
  if (entry.key.find(':') == std::string::npos && !entry.key.empty()) {
    b.Key("what").StartObject().Key("reference").String("Task/" + entry.key).EndObject();
  } else {
    b.Key("what").StartObject().Key("display").String(entry.key).EndObject();
  }
  b.Key("description").String("outbox message " + std::to_string(entry.id) + " to " + entry.destination);
  b.EndObject().EndArray();
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

void AuditRecorder::Write(const std::string& event) const {
  if (event.empty()) return;
  json::Document doc;
  json::ParseError err;
  if (!json::Parse(event, json::Limits{}, doc, err)) return;
  auto written = store_->Create(doc.root());
  if (!written.ok()) api::LogEvent("error", "audit_write_failed", {{"error", written.status().ToString()}});
}

void AuditRecorder::Record(const api::Request& request, const api::Response& response, const api::Route* route) const {
  Write(EventFor(request, response, route, store::FormatInstant(store::SystemMicros())));
}

void AuditRecorder::RecordDelivery(const store::OutboxEntry& entry, delivery::DeliveryEvent event,
                                   const std::string& detail) const {
  Write(DeliveryEvent(entry, event, detail, store::FormatInstant(store::SystemMicros())));
}

common::Status AuditRecorder::SelfCheck(const validation::Validator& validator) const {
  api::Request request;
  request.method = "GET";
  request.target = "/Patient?identifier=x";
  request.path = "/Patient";
  request.peer = "127.0.0.1:5000";
  api::Response response;
  response.status = 403;
  store::OutboxEntry entry;
  entry.id = 1;
  entry.key = "task-id";
  entry.destination = "service";
  entry.attempts = 2;
  const std::string now = store::FormatInstant(store::SystemMicros());
  for (const std::string& event : {EventFor(request, response, nullptr, now),
                                   DeliveryEvent(entry, delivery::DeliveryEvent::kRejected, "HTTP 422", now)}) {
    fhir::IssueSink sink;
    if (!validator.ValidateJson(event, {}, sink)) {
      return common::Internal("the gateway's AuditEvent does not validate: " +
                              fhir::RenderOperationOutcome(sink.issues(), false));
    }
  }
  return common::Status::Ok();
}

}  // namespace workwell::app

#include "adapter/app/case_routes.h"

#include <utility>

#include "adapter/api/config_reader.h"
#include "adapter/cases/task_tracking.h"
#include "adapter/common/json/json.h"
#include "adapter/store/search_params.h"

namespace workwell::app {
namespace {

api::Response Json(int status, std::string body) {
  api::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

api::Response StoreError(const store::StoreStatus& st) {
  if (st.code() == store::StoreCode::kNotFound) {
    return api::Response::Outcome(404, fhir::Severity::kError, "not-found", st.message());
  }
  return api::Response::Outcome(503, fhir::Severity::kError, "transient", "the store could not answer");
}

// The dead-letter id in the path, or nullopt.
std::optional<int64_t> EntryId(const api::Request& req) {
  uint64_t id = 0;
  if (!api::ParseUint(req.PathParam("entry"), id) || id > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(id);
}

}  // namespace

std::string OutboxEntryJson(const store::OutboxEntry& entry, bool with_payload) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("id").Int(entry.id);
  b.Key("destination").String(entry.destination);
  b.Key("task").String("Task/" + entry.key);
  b.Key("state").String(entry.state);
  b.Key("attempts").Int(entry.attempts);
  b.Key("created").String(store::FormatInstant(entry.created_micros));
  b.Key("lastError").String(entry.last_error);
  if (with_payload) b.Key("payload").String(entry.payload);
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

store::StoreStatus RequeueDeadLetter(store::Store& store, int64_t id, const std::string& now) {
  auto entry = store.ReadOutboxEntry(id);
  if (!entry.ok()) return entry.status();
  if (store::StoreStatus st = store.RequeueDeadLetter(id); !st.ok()) return st;
  store::StoreStatus task = cases::SetTaskStatus(store, entry->key, "requested", "requeued by an operator", now);
  // A message without a case Task (none is written for it) is requeued all the same.
  if (!task.ok() && task.code() != store::StoreCode::kNotFound) return task;
  return store::StoreStatus::Ok();
}

common::Status AddCaseRoutes(api::Router& router, CaseRouteDeps deps) {
  auto shared = std::make_shared<CaseRouteDeps>(std::move(deps));
  {
    api::Route route;
    route.method = "POST";
    route.pattern = "/$submit";
    route.capability = api::Capability::Operation("submit", std::string(kSubmitDefinition));
    // A GP system's scope: system/Task.write (or .c): the case is recorded as a Task.
    route.scope_type = "Task";
    route.permission = security::Permission::kCreate;
    route.capability.documentation =
        "Accepts one GP fit note or referral record (format parameter or Content-Type, as $translate): "
        "translates, validates, routes and stores it, and queues its referral for delivery; 201 with Location "
        "Task/[id], 200 for a record already received";
    route.request_media_types = {"application/json",        "application/fhir+json",    "text/csv",
                                 "x-application/hl7-v2+er7", "application/hl7-v2",       "application/hl7-v2+er7"};
    route.handler = [shared](const api::Request& req) {
      // Data scope: a GP system submits records of its own practices only.
      const std::vector<std::string>* practices =
          req.principal && req.principal->kind == security::ClientKind::kGpSystem ? &req.principal->ods_practice_codes
                                                                                  : nullptr;
      cases::IntakeAnswer answer = shared->intake->Submit(req.Header("content-type").value_or(""),
                                                          req.QueryParam("format").value_or(""), req.body, practices);
      api::Response r = api::Response::Resource(answer.status, std::move(answer.body));
      if (!answer.location.empty()) r.headers.emplace_back("Location", answer.location);
      return r;
    };
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  {
    api::Route route;
    route.method = "GET";
    route.pattern = "/_delivery/dead-letters";
    route.fhir = false;
    route.handler = [shared](const api::Request& req) {
      uint64_t limit = 100;
      if (auto l = req.QueryParam("limit"); l && (!api::ParseUint(*l, limit) || limit == 0 || limit > 1000)) {
        return api::Response::Outcome(400, fhir::Severity::kError, "value", "limit: expected 1 to 1000");
      }
      auto entries = shared->store->ListDeadLetters(static_cast<size_t>(limit));
      if (!entries.ok()) return StoreError(entries.status());
      std::string body = "{\"deadLetters\":[";
      for (size_t i = 0; i < entries->size(); ++i) body += (i ? "," : "") + OutboxEntryJson((*entries)[i], false);
      body += "]}";
      return Json(200, std::move(body));
    };
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  {
    api::Route route;
    route.method = "GET";
    route.pattern = "/_delivery/dead-letters/[entry]";
    route.fhir = false;
    route.handler = [shared](const api::Request& req) {
      std::optional<int64_t> id = EntryId(req);
      if (!id) return api::Response::Outcome(400, fhir::Severity::kError, "value", "expected a numeric outbox entry id");
      auto entry = shared->store->ReadOutboxEntry(*id);
      if (!entry.ok()) return StoreError(entry.status());
      if (entry->state != "dead") {
        return api::Response::Outcome(404, fhir::Severity::kError, "not-found", "outbox entry is not dead-lettered");
      }
      return Json(200, OutboxEntryJson(*entry, true));
    };
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  {
    api::Route route;
    route.method = "POST";
    route.pattern = "/_delivery/dead-letters/[entry]/$requeue";
    route.fhir = false;
    route.permission = security::Permission::kUpdate;  // operators: a system/*.write scope
    route.request_media_types = {};
    route.handler = [shared](const api::Request& req) {
      std::optional<int64_t> id = EntryId(req);
      if (!id) return api::Response::Outcome(400, fhir::Severity::kError, "value", "expected a numeric outbox entry id");
      store::StoreStatus st = RequeueDeadLetter(*shared->store, *id, shared->now());
      if (!st.ok()) return StoreError(st);
      auto entry = shared->store->ReadOutboxEntry(*id);
      if (!entry.ok()) return StoreError(entry.status());
      return Json(200, OutboxEntryJson(*entry, false));
    };
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  {
    api::Route route;
    route.method = "GET";
    route.pattern = "/metrics";
    route.fhir = false;
    route.handler = [shared](const api::Request&) {
      api::Response r;
      r.status = 200;
      r.content_type = "text/plain; version=0.0.4";
      r.body = shared->metrics_text();
      return r;
    };
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  return common::Status::Ok();
}

}  // namespace workwell::app

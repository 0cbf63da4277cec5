#include "adapter/cases/plan_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "adapter/cases/case_bundle.h"
#include "adapter/cases/task_tracking.h"
#include "adapter/delivery/bars_message.h"
#include "adapter/fhir/issue.h"
#include "adapter/mapping/engine/transforms.h"
#include "adapter/store/bundle.h"
#include "adapter/stayinwork/vocabulary.h"
#include "adapter/store/search_params.h"

namespace workwell::cases {
namespace {

using fhir::Severity;
using stayinwork::Problem;

PlanAnswer Outcome(int status, std::string code, std::string text, std::string expression = {}) {
  fhir::Issue issue;
  issue.severity = status >= 500 ? Severity::kFatal : Severity::kError;
  issue.code = std::move(code);
  issue.text = std::move(text);
  issue.expression = std::move(expression);
  return PlanAnswer{status, fhir::RenderOperationOutcome({issue}, false), {}, {}};
}

PlanAnswer FromProblem(const Problem& p) { return PlanAnswer{p.http_status(), p.ToOperationOutcome(), {}, {}}; }

PlanAnswer FromStore(const store::StoreStatus& st) {
  switch (st.code()) {
    case store::StoreCode::kNotFound:
    case store::StoreCode::kGone: return Outcome(404, "not-found", st.message());
    case store::StoreCode::kVersionConflict:
      return Outcome(412, "conflict", "the plan has changed since the version given in If-Match: read it again");
    default: return Outcome(503, "transient", "the store could not complete the change: " + st.ToString());
  }
}

// The parsed body, or a 400.
std::optional<PlanAnswer> ParseBody(std::string_view body, json::Document& doc) {
  json::ParseError err;
  if (!json::Parse(body, json::Limits{}, doc, err)) return Outcome(400, "structure", "the body is not JSON: " + err.message);
  return std::nullopt;
}

// Parameters.parameter values by name: the primitive value as text, or a Reference's reference.
std::map<std::string, std::string> ReadParameters(const json::Value& params) {
  std::map<std::string, std::string> out;
  const json::Value* list = params.Find("parameter");
  if (list == nullptr) return out;
  for (const json::Value& p : list->items()) {
    const std::string name(Str(&p, "name"));
    for (const json::Member& m : p.members()) {
      if (!m.key.starts_with("value")) continue;
      if (m.value.IsObject()) {
        out[name] = std::string(Str(&m.value, "reference"));
      } else {
        out[name] = std::string(m.value.IsBool() ? (m.value.AsBool() ? "true" : "false") : m.value.text());
      }
    }
  }
  return out;
}

// The id of a "Type/id" reference of `type`, or "".
std::string IdOf(std::string_view reference, std::string_view type) {
  if (reference.size() <= type.size() + 1 || !reference.starts_with(type) || reference[type.size()] != '/') return {};
  return std::string(reference.substr(type.size() + 1));
}


// A copy of `resource` with `id` set (added after resourceType when absent).
void WithId(json::Builder& b, const json::Value& resource, std::string_view id) {
  b.StartObject();
  bool wrote = false;
  for (const json::Member& m : resource.members()) {
    if (m.key == "id") {
      b.Key("id").String(id);
      wrote = true;
      continue;
    }
    b.Key(m.key).Raw(m.value);
    if (m.key == "resourceType" && resource.Find("id") == nullptr) {
      b.Key("id").String(id);
      wrote = true;
    }
  }
  if (!wrote) b.Key("id").String(id);
  b.EndObject();
}

std::string CommunicationJson(const stayinwork::Notification& n, const std::string& now) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("resourceType").String("Communication");
  b.Key("identifier").StartArray().StartObject();
  b.Key("system").String(kNotificationIdSystem).Key("value").String(n.key);
  b.EndObject().EndArray();
  b.Key("status").String("completed");
  b.Key("category").StartArray().StartObject().Key("text").String("WorkWell " + n.event).EndObject().EndArray();
  if (!n.patient.empty()) b.Key("subject").StartObject().Key("reference").String(n.patient).EndObject();
  b.Key("about").StartArray();
  b.StartObject().Key("reference").String(n.plan).EndObject();
  if (!n.fit_note.empty()) b.StartObject().Key("reference").String(n.fit_note).EndObject();
  b.EndArray();
  b.Key("sent").String(now);
  if (!n.recipient_reference.empty()) {
    b.Key("recipient").StartArray().StartObject().Key("reference").String(n.recipient_reference).EndObject().EndArray();
  }
  b.Key("payload").StartArray().StartObject().Key("contentString").String(n.text).EndObject().EndArray();
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

// True when a Subscription's criteria ("CarePlan", "CarePlan?patient=Patient/1", "CarePlan?subject=1")
// selects a plan about `patient` ("Patient/1").
bool CriteriaMatch(std::string_view criteria, std::string_view patient) {
  if (!criteria.starts_with("CarePlan")) return false;
  if (criteria == "CarePlan" || criteria == "CarePlan?") return true;
  if (criteria.size() <= 9 || criteria[8] != '?') return false;
  auto params = store::ParseQueryString(criteria.substr(9));
  if (!params.ok()) return false;
  for (const auto& [name, value] : *params) {
    if (name != "patient" && name != "subject") return false;  // other filters: not supported, not matched
    if (value != patient && "Patient/" + value != patient) return false;
  }
  return true;
}

}  // namespace

std::string UkNowInstant() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto ahead = now + std::chrono::hours(1);
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(ahead);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(ahead - day);
  const bool bst = mapping::LondonOffsetMinutes(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                                                static_cast<int>(unsigned(ymd.day())),
                                                static_cast<int>(hms.hours().count()),
                                                static_cast<int>(hms.minutes().count())) == 60;
  const auto local = bst ? ahead : now;
  const std::chrono::sys_days local_day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day d(local_day);
  const std::chrono::hh_mm_ss t(local - local_day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%s", static_cast<int>(d.year()), unsigned(d.month()),
                unsigned(d.day()), static_cast<int>(t.hours().count()), static_cast<int>(t.minutes().count()),
                static_cast<int>(t.seconds().count()), bst ? "+01:00" : "+00:00");
  return buf;
}

PlanService::PlanService(std::shared_ptr<const validation::Validator> validator, std::shared_ptr<store::Store> store,
                         InstantClock now, stayinwork::Policy policy)
    : validator_(std::move(validator)), store_(std::move(store)), now_(std::move(now)), policy_(policy) {}

// The stored resource `Type/id` (a reference) parsed; false when absent or unreadable.
bool PlanService::ReadStored(std::string_view reference, std::string_view type, json::Document& doc) const {
  const std::string id = IdOf(reference, type);
  if (id.empty()) return false;
  auto stored = store_->Read(type, id);
  if (!stored.ok()) return false;
  json::ParseError err;
  return json::Parse(stored->json, json::Limits{}, doc, err);
}

stayinwork::Context PlanService::MakeContext(const stayinwork::PlanView& plan, const std::string& now) const {
  stayinwork::Context ctx;
  ctx.now = now;
  ctx.policy = policy_;
  ctx.new_fit_note_id = store::NewResourceId();
  // The WorkWell service to tell: the organisation behind the service the referral was routed to
  // (ServiceRequest.performer -> HealthcareService.providedBy), so a plan nobody from the service
  // has agreed yet still names its recipient.
  for (const std::string& referral : plan.referrals) {
    json::Document sr, hs;
    if (!ReadStored(referral, "ServiceRequest", sr)) continue;
    const json::Value* performers = sr.root().Find("performer");
    if (performers == nullptr || performers->size() == 0) continue;
    if (!ReadStored(Str(&performers->items()[0], "reference"), "HealthcareService", hs)) continue;
    const std::string_view provider = Str(hs.root().Find("providedBy"), "reference");
    if (!provider.empty()) {
      ctx.workwell_service = std::string(provider);
      break;
    }
  }
  return ctx;
}

std::optional<stayinwork::FitNote> PlanService::FitNoteInForce(const stayinwork::Plan& plan) const {
  // The last WorkWell-FitNote the plan's supportingInfo names.
  std::optional<stayinwork::FitNote> note;
  if (const json::Value* infos = plan.root().Find("supportingInfo")) {
    for (const json::Value& info : infos->items()) {
      const std::string id = IdOf(Str(&info, "reference"), "Observation");
      auto obs = id.empty() ? store::StoreResult<store::ResourceVersion>(store::StoreStatus(store::StoreCode::kNotFound, ""))
                            : store_->Read("Observation", id);
      if (!obs.ok()) continue;
      auto parsed = stayinwork::FitNote::Parse(obs->json);
      if (parsed.ok()) note.emplace(std::move(parsed).value());
    }
  }
  return note;
}

bool PlanService::EmployerContactConsent(std::string_view subject) const {
  // An active, permitting patient-privacy Consent of the patient.
  const std::string patient_id = IdOf(subject, "Patient");
  if (patient_id.empty()) return false;
  auto consents = store_->Search("Consent", store::SearchRequest{{{"patient", "Patient/" + patient_id}}, true});
  if (!consents.ok()) return false;
  for (const store::ResourceVersion& c : consents->matches) {
    json::Document cd;
    json::ParseError err;
    if (!json::Parse(c.json, json::Limits{}, cd, err)) continue;
    const json::Value* scope = cd.root().Find("scope");
    const json::Value* codings = scope != nullptr ? scope->Find("coding") : nullptr;
    bool privacy = false;
    if (codings != nullptr) {
      for (const json::Value& coding : codings->items()) privacy = privacy || Str(&coding, "code") == "patient-privacy";
    }
    if (privacy && Str(&cd.root(), "status") == "active" && Str(cd.root().Find("provision"), "type") == "permit") return true;
  }
  return false;
}

bool PlanService::RoutedToOneOf(const std::string& service_request_id, const std::vector<std::string>* services) const {
  if (services == nullptr) return true;
  auto tasks = store_->Search("Task", store::SearchRequest{{{"focus", "ServiceRequest/" + service_request_id}}, true});
  if (!tasks.ok()) return false;
  for (const store::ResourceVersion& t : tasks->matches) {
    json::Document d;
    json::ParseError err;
    if (!json::Parse(t.json, json::Limits{}, d, err)) continue;
    const std::string_view id = TaskInput(d.root(), "service");
    if (!id.empty() && std::find(services->begin(), services->end(), id) != services->end()) return true;
  }
  return false;
}

PlanAnswer PlanService::ProcessMessage(std::string_view body, const std::vector<std::string>* services) const {
  json::Document doc;
  if (auto bad = ParseBody(body, doc)) return *bad;
  const json::Value& bundle = doc.root();
  if (Str(&bundle, "resourceType") != "Bundle" || Str(&bundle, "type") != "message") {
    return Outcome(400, "structure", "$process-message takes a Bundle of type message", "Bundle.type");
  }
  CaseBundle entries(bundle);
  if (entries.entries().empty() || entries.entries().front().type != "MessageHeader") {
    return Outcome(400, "structure", "the first entry of a message is its MessageHeader", "Bundle.entry[0]");
  }
  const json::Value* header = entries.entries().front().resource;
  const json::Value* event = header->Find("eventCoding");
  if (Str(event, "system") != kMessageEventSystem || Str(event, "code") != kPlanProposedEvent) {
    return Outcome(400, "not-supported",
                   "this gateway takes the event " + std::string(kMessageEventSystem) + "|" +
                       std::string(kPlanProposedEvent) + " here, not " + std::string(Str(event, "system")) + "|" +
                       std::string(Str(event, "code")),
                   "Bundle.entry[0].resource.eventCoding");
  }
  fhir::IssueSink sink;
  if (!validator_->ValidateJson(body, {}, sink)) {
    return PlanAnswer{422, fhir::RenderOperationOutcome(sink.issues(), false), {}, {}};
  }
  const CaseEntry* plan_entry = nullptr;
  for (const CaseEntry& e : entries.entries()) {
    if (e.type == "CarePlan" && ClaimsProfile(e.resource, stayinwork::vocab::kPlanProfile)) plan_entry = &e;
  }
  if (plan_entry == nullptr) {
    return Outcome(422, "required", "the message carries no CarePlan claiming WorkWell-StayInWorkPlan", "Bundle.entry");
  }
  auto proposed = stayinwork::Plan::Parse(json::Write(*plan_entry->resource));
  if (!proposed.ok()) return FromProblem(proposed.status());
  const stayinwork::PlanView& view = proposed->view();
  if (view.status != stayinwork::PlanStatus::kDraft) {
    return Outcome(422, "business-rule", "a proposed plan is a draft until the parties have agreed it", "CarePlan.status");
  }
  const std::string_view identifier = IdentifierValue(plan_entry->resource, "https://fhir.workwell.nhs.uk/Id/stay-in-work-plan");
  if (identifier.empty()) {
    return Outcome(422, "required", "the plan needs an identifier in https://fhir.workwell.nhs.uk/Id/stay-in-work-plan",
                   "CarePlan.identifier");
  }
  std::string referral_id;
  for (const std::string& r : view.referrals) {
    if (referral_id.empty()) referral_id = IdOf(r, "ServiceRequest");
  }
  if (referral_id.empty()) {
    return Outcome(422, "required", "the plan must name the gateway's referral as ServiceRequest/[id]",
                   "CarePlan.extension('basedOnReferral')");
  }

  if (!RoutedToOneOf(referral_id, services)) {
    return Outcome(404, "not-found", "the plan's referral ServiceRequest/" + referral_id + " is not known here");
  }
  std::string stored_json, location, etag, failure;
  store::StoreStatus st = store_->RunInTransaction([&](store::Transaction& tx) -> store::StoreStatus {
    failure.clear();
    auto referral = tx.Read("ServiceRequest", referral_id);
    if (!referral.ok()) {
      failure = "404";
      return referral.status();
    }
    auto existing = tx.Search("CarePlan", store::SearchRequest{{{"identifier", std::string("https://fhir.workwell.nhs.uk/Id/stay-in-work-plan|") + std::string(identifier)}}, true});
    if (!existing.ok()) return existing.status();
    std::string plan_id;
    if (!existing->matches.empty()) {
      plan_id = existing->matches.front().id;
      auto current = stayinwork::Plan::Parse(existing->matches.front().json);
      if (!current.ok() || current->view().status != stayinwork::PlanStatus::kDraft) {
        failure = "409";
        return store::StoreStatus(store::StoreCode::kInvalid, "the plan is no longer a draft");
      }
    }
    json::Document tx_doc;
    json::Builder b(tx_doc);
    b.StartObject().Key("resourceType").String("Bundle").Key("type").String("transaction").Key("entry").StartArray();
    for (const CaseEntry& e : entries.entries()) {
      if (e.type == "MessageHeader") continue;
      b.StartObject();
      b.Key("fullUrl").String(e.full_url);
      const bool put = &e == plan_entry && !plan_id.empty();
      b.Key("resource");
      if (put) {
        WithId(b, *e.resource, plan_id);
      } else {
        b.Raw(*e.resource);
      }
      b.Key("request").StartObject();
      b.Key("method").String(put ? "PUT" : "POST");
      b.Key("url").String(put ? "CarePlan/" + plan_id : e.type);
      b.EndObject();
      b.EndObject();
    }
    b.EndArray().EndObject();
    b.Finish();
    auto written = store::ApplyTransaction(tx, tx_doc.root());
    if (!written.ok()) return written.status();
    const size_t index = static_cast<size_t>(plan_entry - entries.entries().data()) - 1;
    if (index >= written->entries.size()) return store::StoreStatus(store::StoreCode::kInternal, "plan entry lost");
    stored_json = written->entries[index].resource_json;
    location = written->entries[index].location;
    etag = written->entries[index].etag;
    return store::StoreStatus::Ok();
  });
  if (!st.ok()) {
    if (failure == "404") return Outcome(404, "not-found", "the plan's referral ServiceRequest/" + referral_id + " is not known here");
    if (failure == "409") return Outcome(409, "business-rule", "the plan with this identifier is no longer a draft: it cannot be replaced by a proposal");
    return FromStore(st);
  }
  // The referral's Task: the WorkWell service is working on it.
  auto tasks = store_->Search("Task", store::SearchRequest{{{"focus", "ServiceRequest/" + referral_id}}, true});
  if (tasks.ok()) {
    for (const store::ResourceVersion& t : tasks->matches) {
      (void)SetTaskStatus(*store_, t.id, "in-progress", "a Stay in Work plan was proposed: " + location.substr(0, location.find("/_history")), now_());
    }
  }
  // The response message: https://hl7.org/fhir/R4/messageheader.html (response.identifier = the request id).
  json::Document resp;
  json::Builder r(resp);
  const std::string request_id(Str(&bundle, "id"));
  const std::string response_id = delivery::StableUuid("response/" + request_id);
  r.StartObject();
  r.Key("resourceType").String("Bundle");
  r.Key("id").String(response_id);
  r.Key("type").String("message");
  r.Key("timestamp").String(now_());
  r.Key("entry").StartArray();
  r.StartObject();
  r.Key("fullUrl").String("urn:uuid:" + delivery::StableUuid(response_id + "/MessageHeader"));
  r.Key("resource").StartObject();
  r.Key("resourceType").String("MessageHeader");
  r.Key("id").String(delivery::StableUuid(response_id + "/MessageHeader"));
  r.Key("eventCoding").StartObject().Key("system").String(kMessageEventSystem).Key("code").String(kPlanProposedEvent).EndObject();
  r.Key("source").StartObject().Key("name").String("WorkWell gateway").Key("endpoint").String("urn:workwell:gateway").EndObject();
  r.Key("response").StartObject().Key("identifier").String(request_id).Key("code").String("ok").EndObject();
  r.Key("focus").StartArray().StartObject().Key("reference").String(location.substr(0, location.find("/_history"))).EndObject().EndArray();
  r.EndObject();
  r.EndObject();
  r.EndArray();
  r.EndObject();
  r.Finish();
  return PlanAnswer{200, json::Write(resp.root()), location, etag};
}

PlanAnswer PlanService::Apply(std::string_view plan_id, std::string_view operation, std::string_view body,
                              std::string_view if_match, const std::vector<std::string>* services) const {
  json::Document doc;
  if (auto bad = ParseBody(body, doc)) return *bad;
  if (Str(&doc.root(), "resourceType") != "Parameters") {
    return Outcome(400, "structure", "the body of $" + std::string(operation) + " is a Parameters resource");
  }
  const std::map<std::string, std::string> params = ReadParameters(doc.root());
  auto current = store_->Read("CarePlan", plan_id);
  if (!current.ok()) return FromStore(current.status());
  if (!if_match.empty()) {
    std::optional<int64_t> v = store::ParseETag(if_match);
    if (!v) return Outcome(400, "value", "If-Match is not an ETag");
    if (*v != current->version) return FromStore(store::StoreStatus(store::StoreCode::kVersionConflict, ""));
  }
  auto plan = stayinwork::Plan::Parse(current->json);
  if (!plan.ok()) return FromProblem(plan.status());
  if (services != nullptr) {
    bool mine = false;
    for (const std::string& r : plan->view().referrals) mine = mine || RoutedToOneOf(IdOf(r, "ServiceRequest"), services);
    if (!mine) return FromStore(store::StoreStatus(store::StoreCode::kNotFound, "CarePlan/" + std::string(plan_id) + " is not known here"));
  }
  const std::string now = now_();
  stayinwork::Context ctx = MakeContext(plan->view(), now);
  const std::optional<stayinwork::FitNote> note = FitNoteInForce(*plan);
  if (note) ctx.fit_note = &*note;
  ctx.employer_contact_consent = EmployerContactConsent(plan->view().subject);

  stayinwork::Outcome outcome = Problem::Unprocessable("not-supported", "", "unknown operation");
  if (operation == "agree") {
    stayinwork::AgreementEvent event;
    auto party = stayinwork::PartyFromCode(params.count("party") ? params.at("party") : "");
    if (!party) return Outcome(400, "required", "parameter 'party': patient, workwell-service or employer", "Parameters.parameter('party')");
    event.party = *party;
    event.agreed_by = params.count("agreedBy") ? params.at("agreedBy") : "";
    event.date_time = params.count("dateTime") ? params.at("dateTime") : now;
    event.method = params.count("method") ? params.at("method") : "";
    outcome = stayinwork::RecordAgreement(*plan, event, ctx);
  } else if (operation == "withdraw-agreement") {
    auto party = stayinwork::PartyFromCode(params.count("party") ? params.at("party") : "");
    if (!party) return Outcome(400, "required", "parameter 'party': patient, workwell-service or employer", "Parameters.parameter('party')");
    outcome = stayinwork::WithdrawAgreement(*plan, *party, ctx);
  } else if (operation == "employer-cannot-adjust") {
    stayinwork::EmployerRefusal refusal;
    refusal.reason = params.count("reason") ? params.at("reason") : "";
    if (refusal.reason.empty()) return Outcome(400, "required", "parameter 'reason' (why the adjustments cannot be made)", "Parameters.parameter('reason')");
    outcome = stayinwork::RecordEmployerCannotAdjust(*plan, refusal, ctx);
  } else {
    return Outcome(404, "not-supported", "unknown plan operation $" + std::string(operation));
  }
  if (!outcome.ok()) return FromProblem(outcome.status());
  return Commit(std::string(plan_id), current->version, *outcome, now);
}

PlanAnswer PlanService::Commit(const std::string& plan_id, int64_t version, const stayinwork::Transition& transition,
                               const std::string& now) const {
  // Everything is validated before anything is written.
  std::vector<std::pair<std::string, std::string>> checks;  // what, JSON
  const std::string plan_json = transition.plan.ToJson();
  checks.emplace_back("plan", plan_json);
  if (transition.fit_note) checks.emplace_back("fit note", *transition.fit_note);
  std::vector<std::string> communications;
  for (const stayinwork::Notification& n : transition.notifications) {
    communications.push_back(CommunicationJson(n, now));
    checks.emplace_back("notification " + n.key, communications.back());
  }
  for (const auto& [what, text] : checks) {
    fhir::IssueSink sink;
    if (!validator_->ValidateJson(text, {}, sink)) {
      return PlanAnswer{500, fhir::RenderOperationOutcome(sink.issues(), false), {}, {}};
    }
  }
  const std::string patient = transition.plan.view().subject;
  const bool push = transition.plan.view().status != stayinwork::PlanStatus::kDraft;
  std::string stored, location, etag;
  store::StoreStatus st = store_->RunInTransaction([&](store::Transaction& tx) -> store::StoreStatus {
    store::UpdateOptions update;
    update.if_match = version;
    auto written = tx.Update(transition.plan.root(), update);
    if (!written.ok()) return written.status();
    stored = written->resource.json;
    location = written->resource.VersionedLocation();
    etag = written->resource.ETag();
    if (transition.fit_note) {
      json::Document d;
      json::ParseError err;
      if (!json::Parse(*transition.fit_note, json::Limits{}, d, err)) return store::StoreStatus(store::StoreCode::kInvalid, err.message);
      store::CreateOptions create;
      create.assigned_id = std::string(Str(&d.root(), "id"));
      auto note = tx.Create(d.root(), create);
      if (!note.ok()) return note.status();
    }
    for (size_t i = 0; i < communications.size(); ++i) {
      json::Document d;
      json::ParseError err;
      if (!json::Parse(communications[i], json::Limits{}, d, err)) return store::StoreStatus(store::StoreCode::kInvalid, err.message);
      store::CreateOptions create;
      create.if_none_exist = store::EncodeQueryString(
          {{"identifier", std::string(kNotificationIdSystem) + "|" + transition.notifications[i].key}});
      auto c = tx.Create(d.root(), create);
      if (!c.ok()) return c.status();
    }
    if (!push) return store::StoreStatus::Ok();
    auto subs = tx.Search("Subscription", store::SearchRequest{{{"status", "active"}}, true});
    if (!subs.ok()) return subs.status();
    for (const store::ResourceVersion& sub : subs->matches) {
      json::Document sd;
      json::ParseError err;
      if (!json::Parse(sub.json, json::Limits{}, sd, err)) continue;
      if (!CriteriaMatch(Str(&sd.root(), "criteria"), patient)) continue;
      delivery::Envelope envelope;
      envelope.message_id = delivery::StableUuid("push/" + sub.id + "/" + location);
      envelope.headers.correlation_id = envelope.message_id;
      envelope.bundle = stored;
      store::OutboxMessage message;
      message.destination = "subscription/" + sub.id;
      message.payload = delivery::WriteEnvelope(envelope);
      message.key = "push:" + location;
      auto queued = tx.Enqueue(message);
      if (!queued.ok()) return queued.status();
    }
    return store::StoreStatus::Ok();
  });
  if (!st.ok()) return FromStore(st);
  // A plan that has ended (completed, or revoked by the SSP fallback) completes the referral.
  const stayinwork::PlanStatus after = transition.plan.view().status;
  if (after == stayinwork::PlanStatus::kCompleted || after == stayinwork::PlanStatus::kRevoked) {
    for (const std::string& referral : transition.plan.view().referrals) {
      auto tasks = store_->Search("Task", store::SearchRequest{{{"focus", referral}}, true});
      if (!tasks.ok()) continue;
      for (const store::ResourceVersion& t : tasks->matches) {
        (void)SetTaskStatus(*store_, t.id, "completed",
                            std::string("the Stay in Work plan ") + location.substr(0, location.find("/_history")) +
                                (after == stayinwork::PlanStatus::kCompleted ? " was completed"
                                                                            : " was revoked (Statutory Sick Pay fallback)"),
                            now);
      }
    }
  }
  return PlanAnswer{200, stored, location, etag};
}

SweepResult PlanService::Sweep() const {
  SweepResult result;
  const std::string now = now_();
  std::vector<store::ResourceVersion> open;
  store::QueryParams query = {{"status", "draft,active,on-hold"}, {"_count", "100"}};
  for (int page = 0; page < 1000; ++page) {
    auto found = store_->Search("CarePlan", store::SearchRequest{query, true});
    if (!found.ok()) {
      ++result.failures;
      break;
    }
    for (store::ResourceVersion& v : found->matches) open.push_back(std::move(v));
    if (!found->next_query) break;
    auto next = store::ParseQueryString(*found->next_query);
    if (!next.ok()) break;
    query = *next;
  }
  for (const store::ResourceVersion& stored : open) {
    const std::string& id = stored.id;
    auto plan = stayinwork::Plan::Parse(stored.json);
    if (!plan.ok()) continue;
    if (plan->view().ssp_fallback) continue;
    ++result.plans_checked;
    // What is due needs only the clock and the policy; the store is read only for a due plan.
    stayinwork::Context probe;
    probe.now = now;
    probe.policy = policy_;
    const stayinwork::DueEvent due = stayinwork::DueToday(plan->view(), probe);
    if (due == stayinwork::DueEvent::kNone) continue;
    stayinwork::Context ctx = MakeContext(plan->view(), now);
    const std::optional<stayinwork::FitNote> note = FitNoteInForce(*plan);
    if (note) ctx.fit_note = &*note;
    stayinwork::Outcome outcome = due == stayinwork::DueEvent::kPeriodEnded
                                      ? stayinwork::ExpireAtPeriodEnd(*plan, ctx)
                                      : stayinwork::ApplyEmployerDeadline(*plan, ctx);
    if (!outcome.ok()) {
      ++result.failures;
      if (result.errors.size() < 10) result.errors.push_back("CarePlan/" + id + ": " + outcome.status().issue().text);
      continue;
    }
    PlanAnswer answer = Commit(id, stored.version, *outcome, now);
    if (answer.status != 200) {
      ++result.failures;
      if (result.errors.size() < 10) result.errors.push_back("CarePlan/" + id + ": " + answer.body.substr(0, 500));
      continue;
    }
    if (due == stayinwork::DueEvent::kPeriodEnded) {
      ++result.completed_or_revoked;
    } else {
      ++result.ssp_fallbacks;
    }
  }
  return result;
}

}  // namespace workwell::cases

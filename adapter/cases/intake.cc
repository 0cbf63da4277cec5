#include "adapter/cases/intake.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "adapter/cases/case_bundle.h"
#include "adapter/delivery/referral_outbox.h"
#include "adapter/fhir/issue.h"
#include "adapter/mapping/engine/translate_http.h"
#include "adapter/store/bundle.h"
#include "adapter/store/store_status.h"
#include "adapter/stayinwork/fit_note.h"

namespace workwell::cases {
namespace {

using fhir::Issue;
using fhir::Severity;

Issue MakeIssue(Severity severity, std::string code, std::string text, std::string expression = {}) {
  Issue i;
  i.severity = severity;
  i.code = std::move(code);
  i.text = std::move(text);
  i.expression = std::move(expression);
  return i;
}

IntakeAnswer Answer(int status, const std::vector<Issue>& issues, std::string location = {}) {
  return IntakeAnswer{status, fhir::RenderOperationOutcome(issues, false), std::move(location)};
}

// The stored form of a reference: "Type/id" for an entry the transaction wrote.
struct Stored {
  std::string type;
  std::string id;
  std::string json;
  std::string Ref() const { return type + "/" + id; }
};

void Ref(json::Builder& b, std::string_view key, std::string_view reference, std::string_view type = {}) {
  b.Key(key).StartObject().Key("reference").String(reference);
  if (!type.empty()) b.Key("type").String(type);
  b.EndObject();
}

// What the gateway adds to a routed case so that the BaRS message is complete: the receiving
// service (HealthcareService and its Organization) and, when the record did not carry them, the
// WorkWell referral, its CarePlan and the Encounter it came from.
struct Additions {
  std::string service_org_url, service_url, referral_url, careplan_url, encounter_url;
};

// The identifier a resource is matched by, so that the same patient, practice, practitioner or
// service in many cases is stored once: Patient by NHS number, the others by their first identifier.
std::pair<std::string_view, std::string_view> MatchIdentifier(const json::Value& resource, std::string_view type) {
  if (type == "Patient") return {kNhsNumberSystem, IdentifierValue(&resource, kNhsNumberSystem)};
  if (type == "Organization" || type == "Practitioner" || type == "HealthcareService") {
    const json::Value* ids = resource.Find("identifier");
    if (ids != nullptr && ids->size() > 0) return {Str(&ids->items()[0], "system"), Str(&ids->items()[0], "value")};
  }
  return {};
}

// Copies a WorkWell referral with its performer set to the routed service.
void RoutedReferral(json::Builder& b, const json::Value& referral, std::string_view service_url) {
  b.StartObject();
  bool wrote = false;
  for (const json::Member& m : referral.members()) {
    if (m.key == "performer") {
      b.Key("performer").StartArray();
      b.StartObject().Key("reference").String(service_url).Key("type").String("HealthcareService").EndObject();
      b.EndArray();
      wrote = true;
      continue;
    }
    b.Key(m.key).Raw(m.value);
  }
  if (!wrote) {
    b.Key("performer").StartArray();
    b.StartObject().Key("reference").String(service_url).Key("type").String("HealthcareService").EndObject();
    b.EndArray();
  }
  b.EndObject();
}

class Submission {
 public:
  Submission(const mapping::Translator& translator, store::Store& store, const routing::RoutingConfig& config,
             const routing::DateClock& today, const IntakeOptions& options, std::string now)
      : translator_(translator), store_(store), config_(config), today_(today), options_(options), now_(std::move(now)) {}

  IntakeAnswer Run(std::string_view content_type, std::string_view format_param, std::string_view body,
                   const std::vector<std::string>* practices) {
    const std::string format = mapping::FormatForRequest(content_type, format_param);
    if (format.empty()) {
      issues_.push_back(MakeIssue(Severity::kError, "not-supported",
                                  "the record format cannot be told: give ?format= (fitnote-json, referral-json, "
                                  "ref-i12, fitnote-csv, fhir) or a specific Content-Type"));
      return Answer(415, issues_);
    }
    if (format != "fhir" && translator_.FindMapping(format) == nullptr) {
      issues_.push_back(MakeIssue(Severity::kError, "not-supported", "unknown record format '" + format + "'"));
      return Answer(400, issues_);
    }
    mapping::TranslateOptions topt;
    topt.now = now_;
    mapping::TranslateResult tr = translator_.Translate(format, body, topt);
    if (!tr.ok) return Answer(422, tr.issues);
    issues_ = tr.issues;
    json::ParseError perr;
    if (!json::Parse(tr.bundle, json::Limits{}, doc_, perr)) {
      issues_.push_back(MakeIssue(Severity::kFatal, "exception", "the translated Bundle does not parse: " + perr.message));
      return Answer(500, issues_);
    }
    bundle_.emplace(doc_.root());
    if (format == "fhir") {
      const json::Value* identifier = doc_.root().Find("identifier");
      if (Str(identifier, "system").empty() || Str(identifier, "value").empty()) {
        issues_.push_back(MakeIssue(Severity::kError, "required",
                                    "a FHIR submission needs Bundle.identifier (system and value): it is the record's "
                                    "identity, so that sending it again does not make a second case",
                                    "Bundle.identifier"));
        return Answer(422, issues_);
      }
      case_key_ = std::string(Str(identifier, "system")) + "|" + std::string(Str(identifier, "value"));
    } else {
      case_key_ = tr.source_system + "/" + tr.record_id;
    }
    task_id_ = TaskIdForCase(case_key_);

    const routing::CaseSummary facts = SummariseCase(*bundle_, tr.case_facts);
    practice_ods_ = facts.practice_ods;
    if (practices != nullptr &&
        std::find(practices->begin(), practices->end(), facts.practice_ods) == practices->end()) {
      return Answer(403, {MakeIssue(Severity::kError, "forbidden",
                                    "this client is not registered for the GP practice the record names")});
    }
    routing::DecisionEngine engine(std::shared_ptr<const routing::RoutingConfig>(&config_, [](const auto*) {}), today_);
    decision_ = engine.Decide(facts);
    if (decision_.outcome == routing::Outcome::kRoute && decision_.service == nullptr) {
      decision_.outcome = routing::Outcome::kNotRoutable;
    }

    std::string task_json;
    bool replay = false;
    std::string failure;
    store::StoreStatus st = store_.RunInTransaction([&](store::Transaction& tx) -> store::StoreStatus {
      replay = false;
      failure.clear();
      auto existing = tx.Read("Task", task_id_);
      if (existing.ok()) {
        replay = true;
        task_json = existing->json;
        return store::StoreStatus::Ok();
      }
      if (existing.status().code() != store::StoreCode::kNotFound) return existing.status();
      return WriteCase(tx, task_json, failure);
    });
    if (!st.ok()) {
      if (!failure.empty()) {
        issues_.push_back(MakeIssue(Severity::kFatal, "exception", failure));
        return Answer(500, issues_);
      }
      issues_.push_back(MakeIssue(Severity::kFatal, "transient", "the case could not be stored: " + st.ToString()));
      return Answer(503, issues_);
    }
    const std::string location = "Task/" + task_id_;
    if (replay) {
      issues_ = {MakeIssue(Severity::kInformation, "informational",
                           "record " + case_key_ + " was already received as " + location +
                               "; nothing was stored or sent again")};
      return Answer(200, issues_, location);
    }
    for (const std::string& d : duplicates_) issues_.push_back(MakeIssue(Severity::kInformation, "multiple-matches", d));
    for (const Issue& i : decision_.issues) issues_.push_back(i);
    std::string summary = "case " + case_key_ + " recorded as " + location + ": " +
                          routing::OutcomeName(decision_.outcome) + " (rule " +
                          (decision_.rule_id.empty() ? std::string("none") : decision_.rule_id) + ")";
    if (decision_.outcome == routing::Outcome::kRoute) {
      summary += ", referred to " + decision_.service->id + " at tier " + decision_.tier;
    }
    issues_.push_back(MakeIssue(Severity::kInformation, "informational", summary));
    return Answer(201, issues_, location);
  }

 private:
  // One entry of the transaction Bundle: POST, conditional on the resource's match identifier.
  // Several stored resources with that identifier (made elsewhere, e.g. by plain REST creates)
  // do not stop the case: it uses the one updated last, and the sender is told.
  void PostEntry(json::Builder& b, std::string_view full_url, const json::Value& resource, std::string_view type) {
    b.StartObject();
    b.Key("fullUrl").String(full_url);
    b.Key("resource").Raw(resource);
    b.Key("request").StartObject().Key("method").String("POST").Key("url").String(type);
    const auto [system, value] = MatchIdentifier(resource, type);
    if (!system.empty() && !value.empty()) {
      const std::string token = std::string(system) + "|" + std::string(value);
      std::string condition = store::EncodeQueryString({{"identifier", token}});
      if (tx_ != nullptr) {
        auto found = tx_->Search(type, store::SearchRequest{{{"identifier", token}, {"_sort", "-_lastUpdated"}, {"_count", "1"}}, true});
        if (found.ok() && found->total > 1) {
          const std::string& chosen = found->matches.front().id;
          condition = store::EncodeQueryString({{"_id", chosen}});
          duplicates_.push_back(std::to_string(found->total) + " " + std::string(type) + " resources have the identifier " +
                                token + "; the case uses " + std::string(type) + "/" + chosen + ", updated last");
        }
      }
      b.Key("ifNoneExist").String(condition);
    }
    b.EndObject();
    b.EndObject();
  }

  // The entries of the transaction, and what the gateway adds for a routed case.
  void BuildTransaction(json::Document& tx_doc, Additions& add) {
    const bool route = decision_.outcome == routing::Outcome::kRoute;
    const CaseEntry* referral = bundle_->FirstWithProfile("ServiceRequest", kReferralProfile);
    if (route) {
      auto urn = [&](std::string_view role) { return "urn:uuid:" + delivery::StableUuid(case_key_ + "/" + std::string(role)); };
      add.service_org_url = urn("service-organization");
      add.service_url = urn("healthcare-service");
      if (referral == nullptr) {
        add.referral_url = urn("referral");
        add.careplan_url = urn("careplan");
      }
      if (bundle_->First("Encounter") == nullptr) add.encounter_url = urn("encounter");
    }
    json::Builder b(tx_doc);
    b.StartObject();
    b.Key("resourceType").String("Bundle");
    b.Key("type").String("transaction");
    b.Key("entry").StartArray();
    for (const CaseEntry& e : bundle_->entries()) {
      if (e.type == "MessageHeader") continue;
      if (route && referral != nullptr && e.resource == referral->resource) {
        json::Document routed;
        json::Builder rb(routed);
        RoutedReferral(rb, *e.resource, add.service_url);
        rb.Finish();
        PostEntry(b, e.full_url, routed.root(), e.type);
        continue;
      }
      PostEntry(b, e.full_url, *e.resource, e.type);
    }
    if (route) AddRoutedResources(b, add, referral);
    b.EndArray();
    b.EndObject();
    b.Finish();
  }

  void AddRoutedResources(json::Builder& b, const Additions& add, const CaseEntry* referral) {
    const routing::Service& service = *decision_.service;
    auto post = [&](const std::string& url, std::string_view type, const std::function<void(json::Builder&)>& body) {
      json::Document d;
      json::Builder rb(d);
      rb.StartObject();
      rb.Key("resourceType").String(type);
      body(rb);
      rb.EndObject();
      rb.Finish();
      PostEntry(b, url, d.root(), type);
    };
    post(add.service_org_url, "Organization", [&](json::Builder& r) {
      r.Key("identifier").StartArray().StartObject();
      r.Key("system").String(kOdsSystem).Key("value").String(service.organisation_ods);
      r.EndObject().EndArray();
      r.Key("active").Bool(true);
      r.Key("name").String(service.name);
    });
    post(add.service_url, "HealthcareService", [&](json::Builder& r) {
      r.Key("identifier").StartArray().StartObject();
      r.Key("system").String(service.identifier_system).Key("value").String(service.identifier_value);
      r.EndObject().EndArray();
      r.Key("active").Bool(true);
      Ref(r, "providedBy", add.service_org_url, "Organization");
      r.Key("name").String(service.name);
    });
    const CaseEntry* patient = bundle_->First("Patient");
    const CaseEntry* role = bundle_->First("PractitionerRole");
    const CaseEntry* note = bundle_->FirstWithProfile("Observation", kFitNoteProfile);
    if (!add.careplan_url.empty()) {
      post(add.careplan_url, "CarePlan", [&](json::Builder& r) {
        r.Key("meta").StartObject().Key("profile").StartArray();
        r.String("https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan");
        r.EndArray().EndObject();
        r.Key("status").String("active");
        r.Key("intent").String("plan");
        r.Key("title").String("Work and health support");
        if (patient != nullptr) Ref(r, "subject", patient->full_url, "Patient");
        r.Key("created").String(now_.substr(0, 10));
        if (role != nullptr) Ref(r, "author", role->full_url, "PractitionerRole");
        AddConditions(r, "addresses");
      });
      post(add.referral_url, "ServiceRequest", [&](json::Builder& r) {
        r.Key("meta").StartObject().Key("profile").StartArray().String(kReferralProfile).EndArray().EndObject();
        r.Key("extension").StartArray();
        r.StartObject().Key("url").String(kTouchpointUrl);
        r.Key("valueCodeableConcept").StartObject().Key("coding").StartArray().StartObject();
        r.Key("system").String("https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-ReferralTouchpoint");
        r.Key("code").String("primary-care");
        r.EndObject().EndArray().EndObject().EndObject();
        r.StartObject().Key("url").String(kSupportTierUrl);
        r.Key("valueCodeableConcept").StartObject().Key("coding").StartArray().StartObject();
        r.Key("system").String("https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-SupportTier");
        r.Key("code").String(SupportTierForRoutingTier(decision_.tier));
        r.EndObject().EndArray().EndObject().EndObject();
        r.EndArray();
        r.Key("identifier").StartArray().StartObject();
        r.Key("system").String("https://fhir.workwell.nhs.uk/Id/referral").Key("value").String(case_key_);
        r.EndObject().EndArray();
        r.Key("basedOn").StartArray();
        r.StartObject().Key("reference").String(add.careplan_url).Key("type").String("CarePlan").EndObject();
        r.EndArray();
        r.Key("status").String("active");
        r.Key("intent").String("plan");
        r.Key("category").StartArray().StartObject().Key("coding").StartArray();
        r.StartObject().Key("system").String("https://fhir.nhs.uk/CodeSystem/message-category-servicerequest");
        r.Key("code").String("referral").Key("display").String("Transfer of Care").EndObject();
        r.StartObject().Key("system").String("https://fhir.workwell.nhs.uk/CodeSystem/WorkWell-UseCase");
        r.Key("code").String("workwell-referral").EndObject();
        r.EndArray().EndObject().EndArray();
        r.Key("code").StartObject().Key("text").String("Referral to a WorkWell work and health service").EndObject();
        if (patient != nullptr) Ref(r, "subject", patient->full_url, "Patient");
        r.Key("authoredOn").String(now_);
        if (role != nullptr) Ref(r, "requester", role->full_url, "PractitionerRole");
        r.Key("performer").StartArray();
        r.StartObject().Key("reference").String(add.service_url).Key("type").String("HealthcareService").EndObject();
        r.EndArray();
        AddConditions(r, "reasonReference");
        r.Key("supportingInfo").StartArray();
        if (note != nullptr) {
          r.StartObject().Key("reference").String(note->full_url).Key("type").String("Observation").EndObject();
        }
        for (const CaseEntry& e : bundle_->entries()) {
          if (e.type == "Consent") {
            r.StartObject().Key("reference").String(e.full_url).Key("type").String("Consent").EndObject();
          }
        }
        r.EndArray();
      });
    }
    if (!add.encounter_url.empty()) {
      const CaseEntry* requester = referral != nullptr ? bundle_->Resolve(referral->resource->Find("requester")) : role;
      const CaseEntry* org = requester != nullptr ? bundle_->Resolve(requester->resource->Find("organization")) : nullptr;
      post(add.encounter_url, "Encounter", [&](json::Builder& r) {
        r.Key("status").String("finished");
        r.Key("class").StartObject();
        r.Key("system").String("http://terminology.hl7.org/CodeSystem/v3-ActCode");
        r.Key("code").String("AMB").Key("display").String("ambulatory");
        r.EndObject();
        r.Key("type").StartArray().StartObject().Key("text").String("Referral to a WorkWell service").EndObject().EndArray();
        if (patient != nullptr) Ref(r, "subject", patient->full_url, "Patient");
        if (requester != nullptr) {
          r.Key("participant").StartArray().StartObject();
          Ref(r, "individual", requester->full_url, requester->type);
          r.EndObject().EndArray();
        }
        const std::string_view authored = referral != nullptr ? Str(referral->resource, "authoredOn") : std::string_view();
        r.Key("period").StartObject().Key("start").String(authored.empty() ? std::string_view(now_) : authored).EndObject();
        if (org != nullptr) Ref(r, "serviceProvider", org->full_url, "Organization");
      });
    }
  }

  void AddConditions(json::Builder& r, std::string_view key) {
    bool open = false;
    for (const CaseEntry& e : bundle_->entries()) {
      if (e.type != "Condition") continue;
      if (!open) r.Key(key).StartArray();
      open = true;
      r.StartObject().Key("reference").String(e.full_url).Key("type").String("Condition").EndObject();
    }
    if (open) r.EndArray();
  }

  // Writes the case inside `tx`. `failure` is set when the gateway itself produced something
  // invalid (a defect: the transaction is rolled back and nothing is accepted).
  store::StoreStatus WriteCase(store::Transaction& tx, std::string& task_json, std::string& failure) {
    json::Document tx_doc;
    Additions add;
    tx_ = &tx;
    duplicates_.clear();
    BuildTransaction(tx_doc, add);
    tx_ = nullptr;
    auto written = store::ApplyTransaction(tx, tx_doc.root());
    if (!written.ok()) return written.status();
    // fullUrl -> what was stored (or matched) for it.
    std::map<std::string, Stored> stored;
    const json::Value* entries = tx_doc.root().Find("entry");
    for (size_t i = 0; i < written->entries.size(); ++i) {
      const store::BundleEntryResponse& r = written->entries[i];
      const std::string full_url(Str(&entries->items()[i], "fullUrl"));
      const std::string_view loc = r.location;
      const size_t slash = loc.find('/');
      const size_t hist = loc.find("/_history/");
      Stored s{std::string(loc.substr(0, slash)), std::string(loc.substr(slash + 1, hist - slash - 1)), r.resource_json};
      stored[full_url] = std::move(s);
    }
    auto ref_of = [&](const CaseEntry* e) -> std::string {
      if (e == nullptr) return {};
      auto it = stored.find(e->full_url);
      return it != stored.end() ? it->second.Ref() : std::string();
    };
    const routing::Service* service = decision_.outcome == routing::Outcome::kRoute ? decision_.service : nullptr;
    const CaseEntry* referral = bundle_->FirstWithProfile("ServiceRequest", kReferralProfile);
    std::string focus = referral != nullptr ? ref_of(referral) : (add.referral_url.empty() ? std::string() : stored[add.referral_url].Ref());
    if (focus.empty()) focus = ref_of(bundle_->FirstWithProfile("Observation", kFitNoteProfile));

    json::Document task;
    {
      json::Builder b(task);
      b.StartObject();
      b.Key("resourceType").String("Task");
      b.Key("id").String(task_id_);
      b.Key("identifier").StartArray().StartObject();
      b.Key("system").String(kCaseIdentifierSystem).Key("value").String(case_key_);
      b.EndObject().EndArray();
      b.Key("status").String(TaskStatusFor(decision_.outcome));
      std::string reason = decision_.issues.empty() ? std::string() : decision_.issues.front().text;
      if (service != nullptr) reason = "referred to " + service->name + " (" + service->id + ")";
      if (!reason.empty()) b.Key("statusReason").StartObject().Key("text").String(reason).EndObject();
      b.Key("businessStatus").StartObject().Key("text").String(routing::OutcomeName(decision_.outcome)).EndObject();
      b.Key("intent").String("order");
      b.Key("code").StartObject().Key("coding").StartArray().StartObject();
      b.Key("system").String("http://hl7.org/fhir/CodeSystem/task-code").Key("code").String("fulfill");
      b.EndObject().EndArray().Key("text").String("WorkWell referral").EndObject();
      if (!focus.empty()) Ref(b, "focus", focus);
      if (const std::string p = ref_of(bundle_->First("Patient")); !p.empty()) Ref(b, "for", p, "Patient");
      b.Key("authoredOn").String(now_);
      b.Key("lastModified").String(now_);
      if (const std::string r = ref_of(bundle_->First("PractitionerRole")); !r.empty()) Ref(b, "requester", r, "PractitionerRole");
      if (service != nullptr) Ref(b, "owner", stored[add.service_url].Ref(), "HealthcareService");
      b.Key("input").StartArray();
      auto input = [&](std::string_view name, std::string_view value) {
        if (value.empty()) return;
        b.StartObject().Key("type").StartObject().Key("text").String(name).EndObject();
        b.Key("valueString").String(value).EndObject();
      };
      input("routing-rule", decision_.rule_id.empty() ? "none" : decision_.rule_id);
      input("icb", decision_.icb_code);
      // The GP practice the record came from: with icb and service, what bounds which clients see the case.
      input("practice", practice_ods_);
      // The fit note's outcome (not-fit | may-be-fit): what an ICB's figures count.
      if (const CaseEntry* note = bundle_->FirstWithProfile("Observation", kFitNoteProfile)) {
        input("fit-note-outcome", stayinwork::FitNoteOutcome(*note->resource));
      }
      if (decision_.absence_days) input("absence-days", std::to_string(*decision_.absence_days));
      input("tier", decision_.tier);
      if (service != nullptr) {
        input("service", service->id);
        input("support-weeks", std::to_string(decision_.support_weeks));
      }
      b.EndArray();
      b.EndObject();
      b.Finish();
    }
    task_json = json::Write(task.root());
    fhir::IssueSink task_sink;
    if (!translator_.validator().ValidateJson(task_json, {}, task_sink)) {
      failure = "the gateway built an invalid Task: " + fhir::RenderOperationOutcome(task_sink.issues(), false);
      return store::StoreStatus(store::StoreCode::kInvalid, failure);
    }
    store::CreateOptions create;
    create.assigned_id = task_id_;
    auto created = tx.Create(task.root(), create);
    if (!created.ok()) return created.status();
    task_json = created->resource.json;
    if (service == nullptr) return store::StoreStatus::Ok();
    return EnqueueReferral(tx, *service, stored, add, failure);
  }

  store::StoreStatus EnqueueReferral(store::Transaction& tx, const routing::Service& service,
                                     std::map<std::string, Stored>& stored, const Additions& add, std::string& failure) {
    std::vector<json::Document> docs;
    docs.reserve(stored.size());
    std::vector<const json::Value*> resources;
    std::string sender_id;
    const CaseEntry* patient = bundle_->First("Patient");
    std::string practice_url;
    if (patient != nullptr) {
      if (const json::Value* gps = patient->resource->Find("generalPractitioner"); gps != nullptr && gps->size() > 0) {
        practice_url = std::string(Str(&gps->items()[0], "reference"));
      }
    }
    if (practice_url.empty() || stored.count(practice_url) == 0) {
      const CaseEntry* role = bundle_->First("PractitionerRole");
      practice_url = role != nullptr ? std::string(Str(role->resource->Find("organization"), "reference")) : std::string();
    }
    for (auto& [url, s] : stored) {
      if (s.type == "Provenance") continue;
      json::Document d;
      json::ParseError err;
      if (!json::Parse(s.json, json::Limits{}, d, err)) {
        failure = "a stored resource does not parse: " + err.message;
        return store::StoreStatus(store::StoreCode::kInvalid, failure);
      }
      docs.push_back(std::move(d));
      resources.push_back(&docs.back().root());
      if (url == practice_url) sender_id = s.id;
    }
    delivery::ReferralCase referral;
    referral.case_key = case_key_;
    referral.timestamp = now_;
    referral.source = options_.gateway;
    referral.sender_organization_id = sender_id;
    referral.receiver_organization_id = stored[add.service_org_url].id;
    referral.resources = resources;
    referral.full_url_base = options_.fhir_base_url;
    if (auto it = stored.find(practice_url); it != stored.end()) referral.end_user_organisation = it->second.json;
    referral.requesting_software =
        R"({"resourceType":"Device","deviceName":[{"name":"WorkWell FHIR gateway","type":"manufacturer-name"}],"version":[{"value":")" WORKWELL_VERSION R"("}]})";
    auto message = delivery::MakeReferralMessage(service, referral);
    if (!message.ok()) {
      failure = "the referral message could not be built: " + message.status().message();
      return store::StoreStatus(store::StoreCode::kInvalid, failure);
    }
    auto envelope = delivery::ReadEnvelope(message->payload);
    fhir::IssueSink sink;
    if (!envelope.ok() || !translator_.validator().ValidateJson(envelope->bundle, {}, sink)) {
      failure = "the gateway built an invalid referral message: " + fhir::RenderOperationOutcome(sink.issues(), false);
      return store::StoreStatus(store::StoreCode::kInvalid, failure);
    }
    message->key = task_id_;
    auto queued = tx.Enqueue(*message);
    return queued.ok() ? store::StoreStatus::Ok() : queued.status();
  }

  const mapping::Translator& translator_;
  store::Store& store_;
  const routing::RoutingConfig& config_;
  const routing::DateClock& today_;
  const IntakeOptions& options_;
  std::string now_;
  std::vector<Issue> issues_;
  json::Document doc_;
  std::optional<CaseBundle> bundle_;
  std::string case_key_;
  std::string practice_ods_;
  std::string task_id_;
  routing::RoutingDecision decision_;
  store::Transaction* tx_ = nullptr;     // while the transaction Bundle is built
  std::vector<std::string> duplicates_;  // resources matched among several, for the sender
};

}  // namespace

std::string TaskIdForCase(std::string_view case_key) { return delivery::StableUuid("case-task/" + std::string(case_key)); }

std::string_view TaskStatusFor(routing::Outcome outcome) {
  switch (outcome) {
    case routing::Outcome::kRoute: return "requested";
    case routing::Outcome::kNeedsGpReferral: return "on-hold";
    default: return "cancelled";
  }
}

CaseIntake::CaseIntake(std::shared_ptr<const mapping::Translator> translator, std::shared_ptr<store::Store> store,
                       std::shared_ptr<const RoutingConfigHolder> routing, routing::DateClock today, InstantClock now,
                       IntakeOptions options)
    : translator_(std::move(translator)),
      store_(std::move(store)),
      routing_(std::move(routing)),
      today_(std::move(today)),
      now_(std::move(now)),
      options_(std::move(options)) {}

IntakeAnswer CaseIntake::Submit(std::string_view content_type, std::string_view format_param,
                                std::string_view body, const std::vector<std::string>* practices) const {
  const std::shared_ptr<const routing::RoutingConfig> config = routing_->Get();
  Submission submission(*translator_, *store_, *config, today_, options_, now_());
  return submission.Run(content_type, format_param, body, practices);
}

}  // namespace workwell::cases

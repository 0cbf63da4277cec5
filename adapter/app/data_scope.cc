#include "adapter/app/data_scope.h"

#include <algorithm>
#include <cctype>

#include "adapter/api/request.h"
#include "adapter/cases/case_bundle.h"

namespace workwell::app {
namespace {

using security::ClientKind;

constexpr std::string_view kDirectoryTypes[] = {"Organization", "Practitioner", "PractitionerRole",
                                                "HealthcareService"};
// Where a patient-linked resource names its patient, in the order tried.
constexpr std::string_view kPatientElements[] = {"subject", "patient", "for", "beneficiary"};
// A Provenance is judged by at most this many of its targets.
constexpr size_t kMaxProvenanceTargets = 32;
// The cases looked at for one patient.
constexpr std::string_view kCaseSearchCount = "1000";

// "Type/id" from a literal reference, relative or absolute (the last two segments); false for
// anything else (a contained "#x", a urn, a versioned reference is read without its version).
bool SplitReference(std::string_view ref, std::string_view& type, std::string_view& id) {
  if (const size_t hist = ref.find("/_history/"); hist != std::string_view::npos) ref = ref.substr(0, hist);
  const size_t last = ref.rfind('/');
  if (last == std::string_view::npos || last == 0 || last + 1 == ref.size()) return false;
  const size_t before = ref.rfind('/', last - 1);
  type = ref.substr(before == std::string_view::npos ? 0 : before + 1, last - (before == std::string_view::npos ? 0 : before + 1));
  id = ref.substr(last + 1);
  return !type.empty() && std::isupper(static_cast<unsigned char>(type.front()));
}

// The id of the Patient `resource` is about, or "" when it names none.
std::string_view PatientOf(const json::Value& resource) {
  for (std::string_view element : kPatientElements) {
    const json::Value* ref = resource.Find(element);
    if (ref == nullptr) continue;
    if (ref->IsArray()) ref = ref->items().empty() ? nullptr : &ref->items()[0];
    std::string_view type, id;
    if (ref != nullptr && SplitReference(cases::Str(ref, "reference"), type, id) && type == "Patient") return id;
    return {};  // the element names something other than a patient (a Group, a Device, ...)
  }
  return {};
}

// Parses stored JSON text; false for text that does not parse (never a stored resource).
bool ParseStored(std::string_view text, json::Document& doc) {
  json::ParseError err;
  return json::Parse(text, json::Limits{}, doc, err);
}

// Reads type/id into `doc`: true when it exists and parses, false when it is missing or deleted.
store::StoreResult<bool> ReadStored(store::Store& store, std::string_view type, std::string_view id,
                                    json::Document& doc) {
  store::StoreResult<store::ResourceVersion> v = store.Read(type, id);
  if (!v.ok()) {
    const store::StoreCode code = v.status().code();
    if (code == store::StoreCode::kNotFound || code == store::StoreCode::kGone) return false;
    return v.status();
  }
  return ParseStored(v->json, doc);
}

}  // namespace

bool HasDataScope(const security::Principal* principal) {
  return principal != nullptr && (principal->kind == ClientKind::kGpSystem ||
                                  principal->kind == ClientKind::kWorkwellService || principal->kind == ClientKind::kIcb);
}

bool DataScopeCheck::OwnPractice(std::string_view ods) const {
  if (ods.empty()) return false;
  return std::any_of(principal_.ods_practice_codes.begin(), principal_.ods_practice_codes.end(),
                     [&](const std::string& mine) { return api::EqualsIgnoreCase(mine, ods); });
}

store::StoreResult<bool> DataScopeCheck::RegisteredAtOwnPractice(const json::Value& patient) {
  const json::Value* gps = patient.Find("generalPractitioner");
  if (gps == nullptr) return false;
  for (const json::Value& gp : gps->items()) {
    const json::Value* identifier = gp.Find("identifier");
    if (identifier != nullptr && cases::Str(identifier, "system") == cases::kOdsSystem &&
        OwnPractice(cases::Str(identifier, "value"))) {
      return true;
    }
    std::string_view type, id;
    if (!SplitReference(cases::Str(&gp, "reference"), type, id) || type != "Organization") continue;
    auto cached = orgs_.find(id);
    if (cached == orgs_.end()) {
      json::Document doc;
      store::StoreResult<bool> found = ReadStored(store_, "Organization", id, doc);
      if (!found.ok()) return found.status();
      std::string ods = *found ? std::string(cases::IdentifierValue(&doc.root(), cases::kOdsSystem)) : std::string();
      cached = orgs_.emplace(std::string(id), std::move(ods)).first;
    }
    if (OwnPractice(cached->second)) return true;
  }
  return false;
}

store::StoreResult<bool> DataScopeCheck::CaseVisible(const json::Value& task) {
  switch (principal_.kind) {
    case ClientKind::kGpSystem: {
      const std::string_view practice = cases::TaskInput(task, "practice");
      if (!practice.empty()) return OwnPractice(practice);
      // A case recorded before Tasks named their practice: the patient's registration decides.
      std::string_view type, id;
      if (!SplitReference(cases::Str(task.Find("for"), "reference"), type, id) || type != "Patient") return false;
      return StoredPatientAtOwnPractice(id);
    }
    case ClientKind::kWorkwellService: {
      const std::string_view service = cases::TaskInput(task, "service");
      return !service.empty() && std::find(principal_.service_ids.begin(), principal_.service_ids.end(), service) !=
                                     principal_.service_ids.end();
    }
    case ClientKind::kIcb: {
      const std::string_view icb = cases::TaskInput(task, "icb");
      return !icb.empty() && api::EqualsIgnoreCase(icb, principal_.icb_code);
    }
    case ClientKind::kAuditor:
    case ClientKind::kOperator:
      return true;
  }
  return false;
}

store::StoreResult<bool> DataScopeCheck::StoredPatientAtOwnPractice(std::string_view patient_id) {
  json::Document doc;
  store::StoreResult<bool> found = ReadStored(store_, "Patient", patient_id, doc);
  if (!found.ok() || !*found) return found;
  return RegisteredAtOwnPractice(doc.root());
}

store::StoreResult<bool> DataScopeCheck::HasVisibleCase(std::string_view patient_id) {
  if (auto it = cases_.find(patient_id); it != cases_.end()) return it->second;
  store::SearchRequest cases_of_patient;
  cases_of_patient.params = {{"patient", "Patient/" + std::string(patient_id)}, {"_count", std::string(kCaseSearchCount)}};
  store::StoreResult<store::SearchPage> tasks = store_.Search("Task", cases_of_patient);
  if (!tasks.ok()) return tasks.status();
  bool visible = false;
  for (const store::ResourceVersion& t : tasks->matches) {
    json::Document doc;
    if (!ParseStored(t.json, doc)) continue;
    store::StoreResult<bool> mine = CaseVisible(doc.root());
    if (!mine.ok()) return mine.status();
    if (*mine) {
      visible = true;
      break;
    }
  }
  cases_.emplace(std::string(patient_id), visible);
  return visible;
}

store::StoreResult<bool> DataScopeCheck::PatientVisible(std::string_view patient_id) {
  if (principal_.kind == ClientKind::kIcb) return false;
  if (auto it = patients_.find(patient_id); it != patients_.end()) return it->second;
  store::StoreResult<bool> visible = false;
  if (principal_.kind == ClientKind::kGpSystem) visible = StoredPatientAtOwnPractice(patient_id);
  if (visible.ok() && !*visible) visible = HasVisibleCase(patient_id);
  if (visible.ok()) patients_.emplace(std::string(patient_id), *visible);
  return visible;
}

store::StoreResult<bool> DataScopeCheck::Visible(std::string_view type, const json::Value& resource) {
  if (!HasDataScope(&principal_)) return true;
  if (std::find(std::begin(kDirectoryTypes), std::end(kDirectoryTypes), type) != std::end(kDirectoryTypes)) return true;
  if (type == "AuditEvent") {
    const json::Value* agents = resource.Find("agent");
    if (agents == nullptr) return false;
    for (const json::Value& agent : agents->items()) {
      const json::Value* alt = agent.Find("altId");
      if (alt != nullptr && alt->text() == principal_.client_id) return true;
    }
    return false;
  }
  if (type == "Task") return CaseVisible(resource);
  if (type == "Patient") {
    // Judged on the version at hand (a write, an old version), then on the patient's cases.
    if (principal_.kind == ClientKind::kIcb) return false;
    if (principal_.kind == ClientKind::kGpSystem) {
      store::StoreResult<bool> own = RegisteredAtOwnPractice(resource);
      if (!own.ok() || *own) return own;
    }
    const std::string_view id = cases::Str(&resource, "id");
    return id.empty() ? store::StoreResult<bool>(false) : HasVisibleCase(id);
  }
  if (type == "Provenance") {
    const json::Value* targets = resource.Find("target");
    if (targets == nullptr || depth_ > 0) return false;
    ++depth_;
    size_t looked = 0;
    for (const json::Value& target : targets->items()) {
      if (++looked > kMaxProvenanceTargets) break;
      std::string_view t, id;
      if (!SplitReference(cases::Str(&target, "reference"), t, id)) continue;
      store::StoreResult<bool> seen = false;
      if (t == "Patient") {
        seen = PatientVisible(id);
      } else {
        store::StoreResult<store::ResourceVersion> v = store_.Read(t, id);
        if (v.ok()) {
          seen = VisibleJson(t, v->json);
        } else if (v.status().code() != store::StoreCode::kNotFound && v.status().code() != store::StoreCode::kGone &&
                   v.status().code() != store::StoreCode::kInvalid) {
          seen = v.status();
        }
      }
      if (!seen.ok() || *seen) {
        --depth_;
        return seen;
      }
    }
    --depth_;
    return false;
  }
  if (principal_.kind == ClientKind::kIcb) return false;
  const std::string_view patient = PatientOf(resource);
  if (patient.empty()) return false;
  return PatientVisible(patient);
}

store::StoreResult<bool> DataScopeCheck::VisibleJson(std::string_view type, std::string_view json) {
  if (!HasDataScope(&principal_)) return true;
  json::Document doc;
  if (!ParseStored(json, doc)) return false;
  return Visible(type, doc.root());
}

}  // namespace workwell::app

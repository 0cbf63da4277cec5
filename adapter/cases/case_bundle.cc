#include "adapter/cases/case_bundle.h"

namespace workwell::cases {

std::string_view Str(const json::Value* object, std::string_view key) {
  if (object == nullptr) return {};
  const json::Value* v = object->Find(key);
  return v != nullptr && v->IsString() ? v->text() : std::string_view();
}

std::string_view TaskInput(const json::Value& task, std::string_view name) {
  const json::Value* inputs = task.Find("input");
  if (inputs == nullptr) return {};
  for (const json::Value& in : inputs->items()) {
    if (Str(in.Find("type"), "text") == name) return Str(&in, "valueString");
  }
  return {};
}

std::string_view IdentifierValue(const json::Value* resource, std::string_view system) {
  const json::Value* ids = resource != nullptr ? resource->Find("identifier") : nullptr;
  if (ids == nullptr) return {};
  for (const json::Value& id : ids->items()) {
    if (Str(&id, "system") == system) return Str(&id, "value");
  }
  return {};
}

bool ClaimsProfile(const json::Value* resource, std::string_view profile) {
  const json::Value* meta = resource->Find("meta");
  const json::Value* profiles = meta != nullptr ? meta->Find("profile") : nullptr;
  if (profiles == nullptr) return false;
  for (const json::Value& p : profiles->items()) {
    if (p.text() == profile) return true;
  }
  return false;
}

namespace {

// The code of the first coding of an extension's valueCodeableConcept.
std::string_view ExtensionCode(const json::Value* resource, std::string_view url) {
  const json::Value* extensions = resource != nullptr ? resource->Find("extension") : nullptr;
  if (extensions == nullptr) return {};
  for (const json::Value& e : extensions->items()) {
    if (Str(&e, "url") != url) continue;
    const json::Value* cc = e.Find("valueCodeableConcept");
    const json::Value* codings = cc != nullptr ? cc->Find("coding") : nullptr;
    if (codings != nullptr && codings->size() > 0) return Str(&codings->items()[0], "code");
  }
  return {};
}

std::string_view ExtensionString(const json::Value* resource, std::string_view url, std::string_view value_key) {
  const json::Value* extensions = resource != nullptr ? resource->Find("extension") : nullptr;
  if (extensions == nullptr) return {};
  for (const json::Value& e : extensions->items()) {
    if (Str(&e, "url") == url) return Str(&e, value_key);
  }
  return {};
}

bool IsReferralConsent(const json::Value* consent) {
  if (Str(consent, "status") != "active") return false;
  const json::Value* provision = consent->Find("provision");
  if (Str(provision, "type") != "permit") return false;
  const json::Value* scope = consent->Find("scope");
  const json::Value* codings = scope != nullptr ? scope->Find("coding") : nullptr;
  if (codings == nullptr) return false;
  for (const json::Value& c : codings->items()) {
    if (Str(&c, "code") == "treatment") return true;
  }
  return false;
}

}  // namespace

CaseBundle::CaseBundle(const json::Value& bundle) {
  const json::Value* entries = bundle.Find("entry");
  if (entries == nullptr) return;
  for (const json::Value& e : entries->items()) {
    const json::Value* resource = e.Find("resource");
    if (resource == nullptr || !resource->IsObject()) continue;
    entries_.push_back({std::string(Str(&e, "fullUrl")), std::string(Str(resource, "resourceType")), resource});
  }
}

const CaseEntry* CaseBundle::First(std::string_view type) const {
  for (const CaseEntry& e : entries_) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

const CaseEntry* CaseBundle::FirstWithProfile(std::string_view type, std::string_view profile) const {
  for (const CaseEntry& e : entries_) {
    if (e.type == type && ClaimsProfile(e.resource, profile)) return &e;
  }
  return nullptr;
}

const CaseEntry* CaseBundle::Resolve(const json::Value* reference) const {
  const std::string_view ref = Str(reference, "reference");
  if (ref.empty()) return nullptr;
  for (const CaseEntry& e : entries_) {
    if (e.full_url == ref) return &e;
    const std::string_view id = Str(e.resource, "id");
    if (!id.empty() && ref.size() == e.type.size() + 1 + id.size() && ref.starts_with(e.type) &&
        ref[e.type.size()] == '/' && ref.ends_with(id)) {
      return &e;
    }
  }
  return nullptr;
}

std::string RoutingTierForSupportTier(std::string_view code) {
  if (code == "clinical-occupational-health") return "clinical-occupational";
  if (code == "self-help" || code == "non-clinical-coach" || code == "clinical-msk" || code == "clinical-mental-health") {
    return std::string(code);
  }
  return {};
}

std::string SupportTierForRoutingTier(std::string_view tier) {
  if (tier == "clinical-occupational") return "clinical-occupational-health";
  return RoutingTierForSupportTier(tier);
}

routing::CaseSummary SummariseCase(const CaseBundle& bundle, const std::map<std::string, std::string>& facts) {
  routing::CaseSummary s;
  const CaseEntry* patient = bundle.First("Patient");
  if (patient != nullptr) {
    if (const json::Value* gps = patient->resource->Find("generalPractitioner")) {
      for (const json::Value& gp : gps->items()) {
        const CaseEntry* org = bundle.Resolve(&gp);
        if (org != nullptr && org->type == "Organization") {
          s.practice_ods = std::string(IdentifierValue(org->resource, kOdsSystem));
          if (!s.practice_ods.empty()) break;
        }
      }
    }
    if (const json::Value* addresses = patient->resource->Find("address")) {
      for (const json::Value& a : addresses->items()) {
        const std::string_view use = Str(&a, "use");
        if (!Str(&a, "postalCode").empty() && (use.empty() || use == "home")) {
          s.postcode = std::string(Str(&a, "postalCode"));
          break;
        }
      }
    }
  }
  const CaseEntry* referral = bundle.FirstWithProfile("ServiceRequest", kReferralProfile);
  if (s.practice_ods.empty() && referral != nullptr) {
    const CaseEntry* role = bundle.Resolve(referral->resource->Find("requester"));
    const CaseEntry* org = role != nullptr ? bundle.Resolve(role->resource->Find("organization")) : nullptr;
    if (org != nullptr && org->type == "Organization") {
      s.practice_ods = std::string(IdentifierValue(org->resource, kOdsSystem));
    }
  }
  if (const CaseEntry* note = bundle.FirstWithProfile("Observation", kFitNoteProfile)) {
    s.fit_note_date = std::string(ExtensionString(note->resource, kIssueDateUrl, "valueDate"));
  }
  if (s.fit_note_date.empty() && referral != nullptr) {
    s.fit_note_date = std::string(Str(referral->resource, "authoredOn").substr(0, 10));
  }
  for (const CaseEntry& e : bundle.entries()) {
    if (e.type == "Consent" && IsReferralConsent(e.resource)) s.consent_to_referral = true;
  }
  if (referral != nullptr) {
    s.requested_tier = RoutingTierForSupportTier(ExtensionCode(referral->resource, kSupportTierUrl));
    s.gp_referral = ExtensionCode(referral->resource, kTouchpointUrl) == "primary-care";
  }
  auto fact = [&](const char* name) -> const std::string* {
    auto it = facts.find(name);
    return it != facts.end() ? &it->second : nullptr;
  };
  if (const std::string* v = fact("absenceStart")) s.absence_start = *v;
  if (const std::string* v = fact("absenceDays")) s.absence_days = std::stoll(*v);
  if (const std::string* v = fact("employment")) s.employment = *v;
  if (const std::string* v = fact("conditionCategory")) s.condition_category = *v;
  if (const std::string* v = fact("requestedTier")) s.requested_tier = *v;
  if (const std::string* v = fact("gpReferral")) s.gp_referral = *v == "true";
  return s;
}

}  // namespace workwell::cases

#include "adapter/stayinwork/plan.h"

#include <charconv>

#include "adapter/stayinwork/dates.h"
#include "adapter/stayinwork/json_edit.h"
#include "adapter/stayinwork/vocabulary.h"

namespace workwell::stayinwork {
namespace {

using internal::CodeIn;
using internal::FindExtension;
using internal::HasCoding;
using internal::ItemsAt;
using internal::StringAt;
using internal::SubValue;

struct StatusName {
  PlanStatus status;
  std::string_view code;
};
constexpr StatusName kStatuses[] = {
    {PlanStatus::kDraft, "draft"},         {PlanStatus::kActive, "active"},
    {PlanStatus::kOnHold, "on-hold"},      {PlanStatus::kRevoked, "revoked"},
    {PlanStatus::kCompleted, "completed"}, {PlanStatus::kEnteredInError, "entered-in-error"},
    {PlanStatus::kUnknown, "unknown"}};

constexpr std::string_view kAgreementMethods[] = {"in-person", "telephone", "video", "written", "electronic"};

std::string Path(std::string_view base, size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

Problem Bad(std::string code, std::string expression, std::string text) {
  return Problem::Unprocessable(std::move(code), std::move(expression), std::move(text));
}

std::string_view Ref(const json::Value* reference) { return StringAt(reference, "reference"); }

}  // namespace

std::string_view PlanStatusCode(PlanStatus status) {
  for (const StatusName& s : kStatuses) {
    if (s.status == status) return s.code;
  }
  return "unknown";
}

std::string_view PartyCode(Party party) {
  switch (party) {
    case Party::kPatient: return "patient";
    case Party::kWorkWellService: return "workwell-service";
    case Party::kEmployer: return "employer";
  }
  return "";
}

std::optional<Party> PartyFromCode(std::string_view code) {
  for (Party p : {Party::kPatient, Party::kWorkWellService, Party::kEmployer}) {
    if (PartyCode(p) == code) return p;
  }
  return std::nullopt;
}

std::string_view EmploymentStatusCode(EmploymentStatus status) {
  switch (status) {
    case EmploymentStatus::kNotRecorded: return "";
    case EmploymentStatus::kEmployed: return "employed";
    case EmploymentStatus::kSelfEmployed: return "self-employed";
    case EmploymentStatus::kUnemployed: return "unemployed";
  }
  return "";
}

bool EmployerIsParty(EmploymentStatus status) {
  return status == EmploymentStatus::kEmployed || status == EmploymentStatus::kNotRecorded;
}

std::vector<Party> RequiredParties(EmploymentStatus status) {
  std::vector<Party> out = {Party::kPatient, Party::kWorkWellService};
  if (EmployerIsParty(status)) out.push_back(Party::kEmployer);
  return out;
}

const Agreement* PlanView::AgreementOf(Party party) const {
  for (const Agreement& a : agreements) {
    if (a.party == party) return &a;
  }
  return nullptr;
}

bool PlanView::AllRequiredAgreed() const {
  for (Party p : RequiredParties(employment_status)) {
    if (AgreementOf(p) == nullptr) return false;
  }
  return true;
}

json::Document Plan::CopyDocument() const {
  json::Document copy;
  copy.set_root(json::Clone(doc_.root(), copy));
  return copy;
}

common::BasicResult<Plan, Problem> Plan::Parse(std::string_view json_text) {
  json::Document doc;
  json::ParseError error;
  if (!json::Parse(json_text, json::Limits{}, doc, error)) {
    return Bad("structure", "CarePlan", "The plan is not valid JSON: " + error.message);
  }
  return FromDocument(std::move(doc));
}

common::BasicResult<Plan, Problem> Plan::FromDocument(json::Document doc) {
  const json::Value& root = doc.root();
  if (!root.IsObject() || StringAt(&root, "resourceType") != "CarePlan") {
    return Bad("invalid", "CarePlan", "A Stay in Work plan is a CarePlan resource");
  }
  PlanView v;
  v.id = std::string(StringAt(&root, "id"));
  if (v.id.empty())
    return Bad("required", "CarePlan.id", "The plan has no id: it must be stored before its lifecycle runs");
  const std::string_view status = StringAt(&root, "status");
  bool known = false;
  for (const StatusName& s : kStatuses) {
    if (s.code == status) {
      v.status = s.status;
      known = true;
    }
  }
  if (!known) return Bad("code-invalid", "CarePlan.status", "Unknown CarePlan.status '" + std::string(status) + "'");
  v.created = std::string(StringAt(&root, "created"));
  const json::Value* period = root.Find("period");
  v.period_start = std::string(StringAt(period, "start"));
  v.period_end = std::string(StringAt(period, "end"));
  if (!DayNumber(v.period_start)) {
    return Bad("value", "CarePlan.period.start", "The plan period needs a full start date (YYYY-MM-DD)");
  }
  if (!v.period_end.empty() && !DayNumber(v.period_end)) {
    return Bad("value", "CarePlan.period.end", "The plan period end must be a full date (YYYY-MM-DD)");
  }
  v.subject = std::string(Ref(root.Find("subject")));
  if (v.subject.empty()) return Bad("required", "CarePlan.subject", "The plan names no patient");
  const auto teams = ItemsAt(&root, "careTeam");
  if (!teams.empty()) v.care_team = std::string(Ref(&teams[0]));

  const auto exts = ItemsAt(&root, "extension");
  for (size_t i = 0; i < exts.size(); ++i) {
    const json::Value* e = &exts[i];
    const std::string_view url = StringAt(e, "url");
    const std::string at = Path("CarePlan.extension", i);
    if (url == vocab::kBasedOnReferralUrl) {
      v.referrals.emplace_back(Ref(e->Find("valueReference")));
    } else if (url == vocab::kEmploymentStatusUrl) {
      const std::string_view code = CodeIn(e->Find("valueCodeableConcept"), vocab::kEmploymentStatusSystem);
      if (code == "employed") {
        v.employment_status = EmploymentStatus::kEmployed;
      } else if (code == "self-employed") {
        v.employment_status = EmploymentStatus::kSelfEmployed;
      } else if (code == "unemployed") {
        v.employment_status = EmploymentStatus::kUnemployed;
      } else {
        return Bad("code-invalid", at + ".value", "Unknown employment status '" + std::string(code) + "'");
      }
    } else if (url == vocab::kAgreementUrl) {
      const json::Value* party = SubValue(e, "party", "Coding");
      const auto p = PartyFromCode(StringAt(party, "code"));
      if (p == std::nullopt || StringAt(party, "system") != vocab::kPlanPartySystem) {
        return Bad("code-invalid", at, "An agreement must name its party from WorkWell-PlanParty");
      }
      Agreement a;
      a.party = *p;
      a.agreed_by = std::string(Ref(SubValue(e, "agreedBy", "Reference")));
      const json::Value* when = SubValue(e, "dateTime", "DateTime");
      a.date_time = when != nullptr ? std::string(when->text()) : std::string();
      a.method = std::string(StringAt(SubValue(e, "method", "Coding"), "code"));
      a.extension_index = i;
      if (v.AgreementOf(a.party) != nullptr) {
        return Bad("business-rule", at, "The " + std::string(PartyCode(a.party)) + " has agreed twice (ww-sip-2)");
      }
      v.agreements.push_back(std::move(a));
    } else if (url == vocab::kSspFallbackUrl) {
      SspFallbackState s;
      s.outcome = std::string(StringAt(SubValue(e, "outcome", "Coding"), "code"));
      const json::Value* when = SubValue(e, "dateTime", "DateTime");
      s.date_time = when != nullptr ? std::string(when->text()) : std::string();
      const json::Value* reason = SubValue(e, "reason", "String");
      s.reason = reason != nullptr ? std::string(reason->text()) : std::string();
      s.fit_note = std::string(Ref(SubValue(e, "fitNote", "Reference")));
      for (const json::Value& sub : ItemsAt(e, "extension")) {
        if (StringAt(&sub, "url") == "notified") s.notified.emplace_back(StringAt(sub.Find("valueCoding"), "code"));
      }
      s.extension_index = i;
      v.ssp_fallback = std::move(s);
    }
  }

  const auto activities = ItemsAt(&root, "activity");
  for (size_t i = 0; i < activities.size(); ++i) {
    const json::Value* detail = activities[i].Find("detail");
    const json::Value* code = detail != nullptr ? detail->Find("code") : nullptr;
    const json::Value* period = detail != nullptr ? detail->Find("scheduledPeriod") : nullptr;
    if (HasCoding(code, vocab::kPlanActivitySystem, "phased-return")) {
      PhasedReturn pr;
      pr.activity_index = i;
      pr.start = std::string(StringAt(period, "start"));
      pr.end = std::string(StringAt(period, "end"));
      const auto detail_exts = ItemsAt(detail, "extension");
      for (size_t k = 0; k < detail_exts.size(); ++k) {
        const json::Value& e = detail_exts[k];
        const std::string_view url = StringAt(&e, "url");
        if (url == vocab::kPhasedReturnStepUrl) {
          PhasedReturnStep step;
          step.extension_index = k;
          const json::Value* week = SubValue(&e, "week", "PositiveInt");
          if (week != nullptr && week->IsNumber()) {
            const std::string_view t = week->text();
            std::from_chars(t.data(), t.data() + t.size(), step.week);
          }
          const json::Value* hours = SubValue(&e, "hoursPerWeek", "Decimal");
          if (hours != nullptr && hours->IsNumber()) step.hours_per_week = std::string(hours->text());
          const json::Value* note = SubValue(&e, "note", "String");
          if (note != nullptr) step.note = std::string(note->text());
          pr.steps.push_back(std::move(step));
        } else if (url == vocab::kContractedHoursUrl) {
          const json::Value* hours = e.Find("valueDecimal");
          if (hours != nullptr && hours->IsNumber()) pr.contracted_hours = std::string(hours->text());
        }
      }
      v.phased_return = std::move(pr);
    } else if (HasCoding(code, vocab::kPlanActivitySystem, "amended-duties")) {
      AmendedDuties ad;
      ad.activity_index = i;
      ad.start = std::string(StringAt(period, "start"));
      ad.end = std::string(StringAt(period, "end"));
      for (const json::Value& e : ItemsAt(detail, "extension")) {
        if (StringAt(&e, "url") != vocab::kDutyChangeUrl) continue;
        DutyChange d;
        auto text = [&](std::string_view name, std::string_view kind) {
          const json::Value* x = SubValue(&e, name, kind);
          return x != nullptr ? std::string(x->text()) : std::string();
        };
        d.duty = text("duty", "String");
        d.change = text("change", "Code");
        d.alternative = text("alternative", "String");
        d.until = text("until", "Date");
        ad.changes.push_back(std::move(d));
      }
      v.amended_duties = std::move(ad);
    } else if (HasCoding(code, vocab::kPlanActivitySystem, "workplace-adaptation")) {
      v.adaptations.push_back({i, std::string(StringAt(detail, "description"))});
    } else if (HasCoding(code, vocab::kPlanActivitySystem, "review")) {
      Review r;
      r.activity_index = i;
      for (const json::Value& ev : ItemsAt(detail->Find("scheduledTiming"), "event")) r.events.emplace_back(ev.text());
      v.reviews.push_back(std::move(r));
    }
  }
  Plan plan;
  plan.doc_ = std::move(doc);
  plan.view_ = std::move(v);
  return plan;
}

bool IsAgreementMethod(std::string_view code) {
  for (std::string_view m : kAgreementMethods) {
    if (m == code) return true;
  }
  return false;
}

}  // namespace workwell::stayinwork

#include "adapter/stayinwork/lifecycle.h"

#include <algorithm>
#include <charconv>

#include "adapter/stayinwork/dates.h"
#include "adapter/stayinwork/json_edit.h"
#include "adapter/stayinwork/vocabulary.h"

namespace workwell::stayinwork {
namespace {

using internal::AppendItem;
using internal::Build;
using internal::RemoveItem;
using internal::SetMember;

bool Closed(PlanStatus s) {
  return s == PlanStatus::kCompleted || s == PlanStatus::kRevoked || s == PlanStatus::kEnteredInError ||
         s == PlanStatus::kUnknown;
}

Problem ClosedProblem(const PlanView& v) {
  return Problem::Conflict("business-rule", "CarePlan.status",
                           "The plan is " + std::string(PlanStatusCode(v.status)) + ": it takes no further events");
}

std::string Ext(size_t index) { return "CarePlan.extension[" + std::to_string(index) + "]"; }

std::optional<double> Decimal(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

common::BasicResult<int64_t, Problem> Today(const Context& ctx) {
  if (!IsInstant(ctx.now)) {
    return Problem::Unprocessable("value", "", "The clock time '" + ctx.now + "' is not a FHIR instant");
  }
  return *DayNumber(ctx.now);
}

std::string_view ReferenceType(std::string_view reference) {
  const size_t slash = reference.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == reference.size()) return {};
  return reference.substr(0, slash);
}

bool AllowedAgreer(Party party, std::string_view type) {
  switch (party) {
    case Party::kPatient: return type == "Patient" || type == "RelatedPerson";
    case Party::kWorkWellService: return type == "Practitioner" || type == "PractitionerRole" || type == "Organization";
    case Party::kEmployer: return type == "Organization" || type == "PractitionerRole" || type == "RelatedPerson";
  }
  return false;
}

Problem NoEmployerParty(const PlanView& v) {
  return Problem::Unprocessable("business-rule", "CarePlan.extension:employmentStatus",
                                "The patient is recorded as " + std::string(EmploymentStatusCode(v.employment_status)) +
                                    ": the plan has no employer party (ww-sip-6)");
}

void SetStatus(json::Document& doc, PlanStatus status) {
  SetMember(doc, doc.root(), "status", json::Value::String(doc.CopyString(PlanStatusCode(status))));
}

Outcome Finish(json::Document doc, std::optional<std::string> note, std::vector<Notification> notifications) {
  auto plan = Plan::FromDocument(std::move(doc));
  if (!plan.ok()) return plan.status();
  return Transition{std::move(plan).value(), std::move(note), std::move(notifications)};
}

// The notifications of `event` for `recipients`, or a refusal naming the recipient that cannot
// be determined: a notification without an addressee would be a silent failure.
common::BasicResult<std::vector<Notification>, Problem> MakeNotifications(
    const PlanView& v, const Context& ctx, std::string_view event, const std::vector<Recipient>& recipients,
    const std::string& fit_note_ref, const std::string& text) {
  std::vector<Notification> out;
  for (Recipient r : recipients) {
    Notification n;
    n.recipient = r;
    switch (r) {
      case Recipient::kGpSystem:
        n.recipient_reference = !ctx.gp_practice.empty() ? ctx.gp_practice
                                : ctx.fit_note != nullptr ? ctx.fit_note->view().issuing_organisation
                                                          : std::string();
        if (n.recipient_reference.empty()) {
          return Problem::Unprocessable("required", "Observation.performer",
                                        "The GP system to notify cannot be determined (no GP practice given and no "
                                        "issuing organisation on the fit note)");
        }
        break;
      case Recipient::kWorkWellService: {
        const Agreement* a = v.AgreementOf(Party::kWorkWellService);
        n.recipient_reference = !ctx.workwell_service.empty() ? ctx.workwell_service
                                : a != nullptr                 ? a->agreed_by
                                                               : std::string();
        if (n.recipient_reference.empty()) {
          return Problem::Unprocessable("required", "CarePlan.extension:agreement",
                                        "The WorkWell service to notify cannot be determined (none given and no "
                                        "workwell-service agreement on the plan)");
        }
        break;
      }
      case Recipient::kPatient:
        n.recipient_reference = v.subject;
        if (n.recipient_reference.empty()) {
          return Problem::Unprocessable("required", "CarePlan.subject", "The patient to notify is not named");
        }
        break;
    }
    n.event = std::string(event);
    n.key = v.id + "/" + std::string(event) + "/" + std::string(NotifiedPartyCode(r));
    n.plan = "CarePlan/" + v.id;
    n.fit_note = fit_note_ref;
    n.patient = v.subject;
    n.text = text;
    out.push_back(std::move(n));
  }
  return out;
}

// The SSP fallback (docs/STAYINWORK.md): a new "not fit for work" note replacing the note in
// force, the plan's sspFallback extension and status revoked, and a notification for the
// patient, the GP system and the WorkWell service. Refused rather than produced incomplete.
Outcome SspFallback(const Plan& plan, const std::string& reason, const Context& ctx) {
  const PlanView& v = plan.view();
  if (Closed(v.status)) return ClosedProblem(v);
  if (!EmployerIsParty(v.employment_status)) return NoEmployerParty(v);
  if (v.ssp_fallback) {
    return Problem::Conflict("duplicate", Ext(v.ssp_fallback->extension_index),
                             "The SSP fallback was already recorded on " + v.ssp_fallback->date_time);
  }
  auto today = Today(ctx);
  if (!today.ok()) return today.status();
  if (ctx.fit_note == nullptr) {
    return Problem::Unprocessable("required", "Observation", "The fit note in force is needed for the SSP fallback");
  }
  if (ctx.fit_note->view().subject != v.subject) {
    return Problem::Unprocessable(
        "value", "Observation.subject",
        "The fit note is about " + ctx.fit_note->view().subject + ", the plan about " + v.subject);
  }
  auto note = BuildReplacementNote(*ctx.fit_note, {ctx.new_fit_note_id, ctx.now, ReplacementReason::kSspFallback, {}});
  if (!note.ok()) return note.status();
  const std::string note_ref = "Observation/" + ctx.new_fit_note_id;
  const std::string text = "The employer cannot make the adjustments of Stay in Work plan " + v.id +
                           ", so the patient is certified not fit for work from " + FormatDay(*today) + " (fit note " +
                           ctx.new_fit_note_id + ", replacing " + ctx.fit_note->view().id +
                           ") to protect Statutory Sick Pay. Reason: " + reason;
  auto notes = MakeNotifications(
      v, ctx, "ssp-fallback", {Recipient::kPatient, Recipient::kGpSystem, Recipient::kWorkWellService}, note_ref, text);
  if (!notes.ok()) return notes.status();
  // Never silent: every one of the three must be addressed, or nothing is produced.
  for (Recipient r : {Recipient::kPatient, Recipient::kGpSystem, Recipient::kWorkWellService}) {
    const bool addressed = std::any_of(notes->begin(), notes->end(), [r](const Notification& n) {
      return n.recipient == r && !n.recipient_reference.empty();
    });
    if (!addressed) {
      return Problem::Unprocessable("required", "CarePlan.extension:sspFallback.extension:notified",
                                    "The SSP fallback would not reach the " + std::string(NotifiedPartyCode(r)));
    }
  }
  json::Document doc = plan.CopyDocument();
  json::Value ext = Build(doc, [&](json::Builder& b) {
    auto coding = [&](std::string_view system, std::string_view code) {
      b.StartObject().Key("system").String(system).Key("code").String(code).EndObject();
    };
    b.StartObject().Key("extension").StartArray();
    b.StartObject().Key("url").String("outcome").Key("valueCoding");
    coding(vocab::kSspOutcomeSystem, "not-fit-certified");
    b.EndObject();
    b.StartObject().Key("url").String("dateTime").Key("valueDateTime").String(ctx.now).EndObject();
    if (!reason.empty()) b.StartObject().Key("url").String("reason").Key("valueString").String(reason).EndObject();
    b.StartObject().Key("url").String("fitNote").Key("valueReference").StartObject().Key("reference").String(note_ref)
        .EndObject().EndObject();
    for (const Notification& n : *notes) {
      b.StartObject().Key("url").String("notified").Key("valueCoding");
      coding(vocab::kNotifiedPartySystem, NotifiedPartyCode(n.recipient));
      b.EndObject();
    }
    b.EndArray().Key("url").String(vocab::kSspFallbackUrl).EndObject();
  });
  AppendItem(doc, doc.root(), "extension", ext, internal::kAfterCarePlanExtension);
  SetStatus(doc, PlanStatus::kRevoked);
  return Finish(std::move(doc), std::move(note).value(), std::move(notes).value());
}

}  // namespace

std::string_view NotifiedPartyCode(Recipient recipient) {
  switch (recipient) {
    case Recipient::kGpSystem: return "gp";
    case Recipient::kWorkWellService: return "workwell-service";
    case Recipient::kPatient: return "patient";
  }
  return "";
}

std::string NotificationJson(const Notification& n) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("recipient").String(NotifiedPartyCode(n.recipient));
  b.Key("recipientReference").String(n.recipient_reference);
  b.Key("event").String(n.event);
  b.Key("key").String(n.key);
  b.Key("plan").String(n.plan);
  if (!n.fit_note.empty()) b.Key("fitNote").String(n.fit_note);
  b.Key("patient").String(n.patient);
  b.Key("text").String(n.text);
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

std::vector<std::string> FitNoteOptionsFor(const PlanView& v) {
  std::vector<std::string> out;
  if (v.phased_return) {
    out.emplace_back(kPhasedReturn);
    std::optional<double> baseline;
    if (v.phased_return->contracted_hours) baseline = Decimal(*v.phased_return->contracted_hours);
    if (!baseline) {
      for (const PhasedReturnStep& s : v.phased_return->steps) {
        const auto h = Decimal(s.hours_per_week);
        if (h && (!baseline || *h > *baseline)) baseline = h;
      }
    }
    const bool reduced = baseline && std::any_of(v.phased_return->steps.begin(), v.phased_return->steps.end(),
                                                 [&](const PhasedReturnStep& s) {
                                                   const auto h = Decimal(s.hours_per_week);
                                                   return h && *h < *baseline;
                                                 });
    if (reduced) out.emplace_back(kAlteredHours);
  }
  if (v.amended_duties) out.emplace_back(kAmendedDuties);
  if (!v.adaptations.empty()) out.emplace_back(kWorkplaceAdaptations);
  return out;
}

std::vector<fhir::Issue> CheckBusinessRules(const PlanView& v, const Context& ctx) {
  fhir::IssueSink sink;
  const auto start = DayNumber(v.period_start);
  const auto end = DayNumber(v.period_end);
  const bool seeking = v.employment_status == EmploymentStatus::kUnemployed;
  const int weeks = seeking ? ctx.policy.max_support_weeks_seeking_work : ctx.policy.max_support_weeks_in_work;
  const std::string who = seeking ? "a person seeking work" : "a person in work";
  if (!end) {
    sink.Error("required", "CarePlan.period.end",
               "WorkWell support is time-limited: the plan period needs an end date (at most " + std::to_string(weeks) +
                   " weeks for " + who + ")");
  } else if (start && *end - *start > int64_t{weeks} * 7) {
    sink.Error("business-rule", "CarePlan.period",
               "The support period " + v.period_start + " to " + v.period_end + " is " + std::to_string(*end - *start) +
                   " days; at most " + std::to_string(weeks) + " weeks (" + std::to_string(weeks * 7) + " days) for " +
                   who);
  }
  if (v.phased_return && v.phased_return->contracted_hours) {
    const auto contracted = Decimal(*v.phased_return->contracted_hours);
    for (const PhasedReturnStep& s : v.phased_return->steps) {
      const auto h = Decimal(s.hours_per_week);
      if (contracted && h && *h > *contracted) {
        sink.Error("business-rule",
                   "CarePlan.activity[" + std::to_string(v.phased_return->activity_index) + "].detail.extension[" +
                       std::to_string(s.extension_index) + "]",
                   "Week " + std::to_string(s.week) + " of the phased return has " + s.hours_per_week +
                       " hours, more than the contracted " + *v.phased_return->contracted_hours);
      }
    }
  }
  for (const Review& r : v.reviews) {
    for (size_t k = 0; k < r.events.size(); ++k) {
      const auto day = DayNumber(r.events[k]);
      if (!day || !start || *day < *start || (end && *day > *end)) {
        sink.Error("business-rule",
                   "CarePlan.activity[" + std::to_string(r.activity_index) + "].detail.scheduledTiming.event[" +
                       std::to_string(k) + "]",
                   "The review on " + r.events[k] + " is outside the plan period " + v.period_start + " to " +
                       (v.period_end.empty() ? std::string("(open)") : v.period_end));
      }
    }
  }
  if (const Agreement* a = v.AgreementOf(Party::kEmployer); a != nullptr && !ctx.employer_contact_consent) {
    sink.Error("business-rule", Ext(a->extension_index),
               "The employer's agreement is recorded but the patient's consent to contact the employer is not");
  }
  return std::move(sink.issues());
}

std::vector<fhir::Issue> CheckCareTeam(const PlanView& v, std::string_view care_team_json) {
  fhir::IssueSink sink;
  json::Document doc;
  json::ParseError error;
  if (!json::Parse(care_team_json, json::Limits{}, doc, error) || !doc.root().IsObject() ||
      internal::StringAt(&doc.root(), "resourceType") != "CareTeam") {
    sink.Error("invalid", "CareTeam", "The plan's care team is not a CareTeam resource");
    return std::move(sink.issues());
  }
  const json::Value& team = doc.root();
  const std::string ref = "CareTeam/" + std::string(internal::StringAt(&team, "id"));
  if (v.care_team != ref) {
    sink.Error("value", "CareTeam.id", "The plan names " + v.care_team + ", not " + ref);
  }
  const std::string_view subject = internal::StringAt(team.Find("subject"), "reference");
  if (subject != v.subject) {
    sink.Error("value", "CareTeam.subject",
               "The team is about '" + std::string(subject) + "', the plan about " + v.subject);
  }
  const auto participants = internal::ItemsAt(&team, "participant");
  std::vector<size_t> employers;
  for (size_t i = 0; i < participants.size(); ++i) {
    for (const json::Value& role : internal::ItemsAt(&participants[i], "role")) {
      if (internal::HasCoding(&role, vocab::kPlanPartySystem, "employer")) employers.push_back(i);
    }
  }
  if (EmployerIsParty(v.employment_status) && employers.empty()) {
    sink.Error("required", "CareTeam.participant",
               "The patient is employed (or no employment status is recorded), so the team needs an employer");
  }
  if (!EmployerIsParty(v.employment_status)) {
    for (size_t i : employers) {
      sink.Error("business-rule", "CareTeam.participant[" + std::to_string(i) + "]",
                 "The patient is recorded as " + std::string(EmploymentStatusCode(v.employment_status)) +
                     ": the team has no employer");
    }
  }
  return std::move(sink.issues());
}

Outcome RecordAgreement(const Plan& plan, const AgreementEvent& event, const Context& ctx) {
  const PlanView& v = plan.view();
  if (Closed(v.status)) return ClosedProblem(v);
  if (v.ssp_fallback) {
    return Problem::Conflict("business-rule", Ext(v.ssp_fallback->extension_index),
                             "The plan has fallen back to not fit for work; it cannot be agreed");
  }
  if (event.party == Party::kEmployer && !EmployerIsParty(v.employment_status)) return NoEmployerParty(v);
  if (const Agreement* a = v.AgreementOf(event.party)) {
    return Problem::Conflict("duplicate", Ext(a->extension_index),
                             "The " + std::string(PartyCode(event.party)) + " already agreed on " + a->date_time +
                                 " (each party agrees once, ww-sip-2)");
  }
  if (v.status != PlanStatus::kDraft && v.status != PlanStatus::kOnHold) {
    return Problem::Conflict("business-rule", "CarePlan.status",
                             "Agreements are recorded on draft or on-hold plans, not " +
                                 std::string(PlanStatusCode(v.status)));
  }
  const std::string at = "CarePlan.extension:agreement";
  if (!AllowedAgreer(event.party, ReferenceType(event.agreed_by))) {
    return Problem::Unprocessable("value", at + ".extension:agreedBy",
                                  "'" + event.agreed_by + "' cannot give the " + std::string(PartyCode(event.party)) +
                                      "'s agreement");
  }
  const bool full_date = event.date_time.size() == 10 && DayNumber(event.date_time);
  if (!full_date && !IsInstant(event.date_time)) {
    return Problem::Unprocessable("value", at + ".extension:dateTime",
                                  "The agreement time '" + event.date_time + "' is neither a full date nor a dateTime with seconds and offset");
  }
  if (!IsAgreementMethod(event.method)) {
    return Problem::Unprocessable("code-invalid", at + ".extension:method",
                                  "'" + event.method + "' is not a WorkWell-AgreementMethod code");
  }
  if (event.party == Party::kEmployer && !ctx.employer_contact_consent) {
    return Problem::Unprocessable("business-rule", at,
                                  "The patient's consent to contact the employer is not on record, so no employer "
                                  "agreement can be taken");
  }
  auto today = Today(ctx);
  if (!today.ok()) return today.status();

  json::Document doc = plan.CopyDocument();
  json::Value ext = Build(doc, [&](json::Builder& b) {
    auto coding = [&](std::string_view system, std::string_view code) {
      b.StartObject().Key("system").String(system).Key("code").String(code).EndObject();
    };
    b.StartObject().Key("extension").StartArray();
    b.StartObject().Key("url").String("party").Key("valueCoding");
    coding(vocab::kPlanPartySystem, PartyCode(event.party));
    b.EndObject();
    b.StartObject().Key("url").String("agreedBy").Key("valueReference").StartObject().Key("reference")
        .String(event.agreed_by).EndObject().EndObject();
    b.StartObject().Key("url").String("dateTime").Key("valueDateTime").String(event.date_time).EndObject();
    b.StartObject().Key("url").String("method").Key("valueCoding");
    coding(vocab::kAgreementMethodSystem, event.method);
    b.EndObject();
    b.EndArray().Key("url").String(vocab::kAgreementUrl).EndObject();
  });
  AppendItem(doc, doc.root(), "extension", ext, internal::kAfterCarePlanExtension);

  bool complete = true;
  for (Party p : RequiredParties(v.employment_status)) {
    if (p != event.party && v.AgreementOf(p) == nullptr) complete = false;
  }
  if (!complete) return Finish(std::move(doc), std::nullopt, {});

  // Activation: every required party has now agreed.
  std::vector<fhir::Issue> rules = CheckBusinessRules(v, ctx);
  if (!rules.empty()) return Problem::Unprocessable(std::move(rules));
  if (ctx.fit_note == nullptr) {
    return Problem::Unprocessable(
        "required", "Observation",
        "The fit note in force is needed to activate the plan (it must then say 'may be fit')");
  }
  const FitNoteView& fn = ctx.fit_note->view();
  if (fn.subject != v.subject) {
    return Problem::Unprocessable("value", "Observation.subject",
                                  "The fit note is about " + fn.subject + ", the plan about " + v.subject);
  }
  const std::vector<std::string> options = FitNoteOptionsFor(v);
  std::vector<std::string> held = fn.adjustments;
  std::sort(held.begin(), held.end());
  std::vector<std::string> wanted = options;
  std::sort(wanted.begin(), wanted.end());
  std::optional<std::string> note;
  std::string note_ref;
  if (fn.outcome != "may-be-fit" || held != wanted) {
    auto built =
        BuildReplacementNote(*ctx.fit_note, {ctx.new_fit_note_id, ctx.now, ReplacementReason::kPlanAgreed, options});
    if (!built.ok()) return built.status();
    note = std::move(built).value();
    note_ref = "Observation/" + ctx.new_fit_note_id;
    json::Value ref = Build(doc, [&](json::Builder& b) {
      b.StartObject().Key("reference").String(note_ref).EndObject();
    });
    AppendItem(doc, doc.root(), "supportingInfo", ref, internal::kAfterCarePlanSupportingInfo);
  }
  SetStatus(doc, PlanStatus::kActive);
  std::string list;
  for (const std::string& o : options) list += (list.empty() ? "" : ", ") + o;
  const std::string text = "Stay in Work plan " + v.id + " is agreed and active from " + FormatDay(*today) +
                           "; the fit note says may be fit for work" + (list.empty() ? "" : " (" + list + ")") +
                           (note ? " in the new fit note " + ctx.new_fit_note_id : std::string()) + ".";
  auto notes = MakeNotifications(v, ctx, "plan-agreed", {Recipient::kGpSystem, Recipient::kPatient}, note_ref, text);
  if (!notes.ok()) return notes.status();
  return Finish(std::move(doc), std::move(note), std::move(notes).value());
}

Outcome WithdrawAgreement(const Plan& plan, Party party, const Context& ctx) {
  const PlanView& v = plan.view();
  if (Closed(v.status)) return ClosedProblem(v);
  const Agreement* a = v.AgreementOf(party);
  if (a == nullptr) {
    return Problem::Conflict(
        "business-rule", "CarePlan.extension:agreement",
        "The " + std::string(PartyCode(party)) + " has not agreed, so there is nothing to withdraw");
  }
  json::Document doc = plan.CopyDocument();
  RemoveItem(doc, doc.root(), "extension", a->extension_index);
  if (v.status == PlanStatus::kActive) SetStatus(doc, PlanStatus::kOnHold);
  return Finish(std::move(doc), std::nullopt, {});
}

Outcome ExpireAtPeriodEnd(const Plan& plan, const Context& ctx) {
  const PlanView& v = plan.view();
  if (Closed(v.status)) return ClosedProblem(v);
  auto today = Today(ctx);
  if (!today.ok()) return today.status();
  const auto end = DayNumber(v.period_end);
  if (!end) return Problem::Conflict("business-rule", "CarePlan.period.end", "The plan period has no end date");
  if (*today <= *end) {
    return Problem::Conflict("business-rule", "CarePlan.period.end", "The plan period runs until " + v.period_end);
  }
  json::Document doc = plan.CopyDocument();
  SetStatus(doc, v.status == PlanStatus::kActive ? PlanStatus::kCompleted : PlanStatus::kRevoked);
  return Finish(std::move(doc), std::nullopt, {});
}

Outcome RecordEmployerCannotAdjust(const Plan& plan, const EmployerRefusal& refusal, const Context& ctx) {
  return SspFallback(
      plan, refusal.reason.empty() ? std::string("The employer cannot make the adjustments") : refusal.reason, ctx);
}

Outcome ApplyEmployerDeadline(const Plan& plan, const Context& ctx) {
  const PlanView& v = plan.view();
  if (Closed(v.status)) return ClosedProblem(v);
  if (!EmployerIsParty(v.employment_status)) return NoEmployerParty(v);
  if (v.status != PlanStatus::kDraft) {
    return Problem::Conflict("business-rule", "CarePlan.status",
                             "Only a draft plan waits for the employer; this one is " +
                                 std::string(PlanStatusCode(v.status)));
  }
  if (const Agreement* a = v.AgreementOf(Party::kEmployer)) {
    return Problem::Conflict("business-rule", Ext(a->extension_index), "The employer agreed on " + a->date_time);
  }
  const auto created = DayNumber(v.created);
  if (!created) {
    return Problem::Unprocessable(
        "required", "CarePlan.created",
        "The employer deadline runs from CarePlan.created, which is missing or not a full date");
  }
  auto today = Today(ctx);
  if (!today.ok()) return today.status();
  const int64_t deadline = *created + ctx.policy.employer_deadline_days;
  if (*today <= deadline) {
    return Problem::Conflict("business-rule", "CarePlan.created",
                             "The employer has until " + FormatDay(deadline) + " to agree");
  }
  return SspFallback(plan,
                     "The employer did not agree the plan by " + FormatDay(deadline) + " (" +
                         std::to_string(ctx.policy.employer_deadline_days) + " days after it was proposed on " +
                         FormatDay(*created) + ")",
                     ctx);
}

DueEvent DueToday(const PlanView& v, const Context& ctx) {
  if (Closed(v.status) || !IsInstant(ctx.now)) return DueEvent::kNone;
  const int64_t today = *DayNumber(ctx.now);
  const auto created = DayNumber(v.created);
  if (v.status == PlanStatus::kDraft && EmployerIsParty(v.employment_status) && !v.ssp_fallback &&
      v.AgreementOf(Party::kEmployer) == nullptr && created && today > *created + ctx.policy.employer_deadline_days) {
    return DueEvent::kEmployerDeadlinePassed;
  }
  const auto end = DayNumber(v.period_end);
  if (end && today > *end) return DueEvent::kPeriodEnded;
  return DueEvent::kNone;
}

}  // namespace workwell::stayinwork

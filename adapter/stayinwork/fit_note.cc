#include "adapter/stayinwork/fit_note.h"

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

// SNOMED CT equivalents listed (unverified) in docs/PROFILES.md.
struct Snomed {
  std::string_view local, code, display;
};
constexpr Snomed kOutcomes[] = {
    {"not-fit", "751481000000104", "eMED3 (2010) new statement issued, not fit for work"},
    {"may-be-fit", "751601000000107", "eMED3 (2010) new statement issued, may be fit for work"}};
constexpr Snomed kAdjustments[] = {
    {"phased-return", "775281000000100", "MED3 (2010) certificate issued - recommend phased return to work"},
    {"altered-hours", "775301000000104", "MED3 (2010) certificate issued - recommend altered hours"},
    {"amended-duties", "775321000000108", "MED3 (2010) certificate issued - recommend amended duties"},
    {"workplace-adaptations", "775351000000103", "MED3 (2010) certificate issued - recommend workplace adaptation"}};

const Snomed* Lookup(std::span<const Snomed> table, std::string_view local) {
  for (const Snomed& s : table) {
    if (s.local == local) return &s;
  }
  return nullptr;
}

std::string_view OutcomeDisplay(std::string_view code) {
  return code == "not-fit" ? "Not fit for work" : "May be fit for work taking account of advice";
}

Problem Bad(std::string code, std::string expression, std::string text) {
  return Problem::Unprocessable(std::move(code), std::move(expression), std::move(text));
}

// The component of the original whose code is `component` (WorkWell-FitNoteComponent), or nullptr.
const json::Value* Component(const json::Value& root, std::string_view component) {
  for (const json::Value& c : ItemsAt(&root, "component")) {
    if (HasCoding(c.Find("code"), vocab::kFitNoteComponentSystem, component)) return &c;
  }
  return nullptr;
}

void Coding(json::Builder& b, std::string_view system, std::string_view code, std::string_view display = {}) {
  b.StartObject().Key("system").String(system).Key("code").String(code);
  if (!display.empty()) b.Key("display").String(display);
  b.EndObject();
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view FitNoteOutcome(const json::Value& observation) {
  const json::Value* value = observation.Find("valueCodeableConcept");
  std::string_view outcome = CodeIn(value, vocab::kFitNoteOutcomeSystem);
  if (outcome.empty()) {
    for (const Snomed& s : kOutcomes) {
      if (HasCoding(value, vocab::kSnomed, s.code)) outcome = s.local;
    }
  }
  return outcome;
}

std::string_view ReplacementReasonCode(ReplacementReason reason) {
  return reason == ReplacementReason::kSspFallback ? "ssp-fallback" : "plan-agreed";
}

common::BasicResult<FitNote, Problem> FitNote::Parse(std::string_view json_text) {
  json::Document doc;
  json::ParseError error;
  if (!json::Parse(json_text, json::Limits{}, doc, error)) {
    return Bad("structure", "Observation", "The fit note is not valid JSON: " + error.message);
  }
  const json::Value& root = doc.root();
  if (!root.IsObject() || StringAt(&root, "resourceType") != "Observation") {
    return Bad("invalid", "Observation", "A fit note is an Observation (WorkWell-FitNote)");
  }
  FitNoteView v;
  v.id = std::string(StringAt(&root, "id"));
  if (v.id.empty()) return Bad("required", "Observation.id", "The fit note has no id, so a replacement cannot name it");
  v.outcome = std::string(FitNoteOutcome(root));
  if (v.outcome.empty()) return Bad("required", "Observation.value", "The fit note has no recognised outcome");
  for (const json::Value& c : ItemsAt(&root, "component")) {
    if (!HasCoding(c.Find("code"), vocab::kFitNoteComponentSystem, "adjustment")) continue;
    const json::Value* cc = c.Find("valueCodeableConcept");
    std::string code(CodeIn(cc, vocab::kFitNoteAdjustmentSystem));
    for (const Snomed& s : kAdjustments) {
      if (code.empty() && HasCoding(cc, vocab::kSnomed, s.code)) code = std::string(s.local);
    }
    if (!code.empty()) v.adjustments.push_back(std::move(code));
  }
  const json::Value* period = root.Find("effectivePeriod");
  v.period_start = std::string(StringAt(period, "start"));
  v.period_end = std::string(StringAt(period, "end"));
  if (v.period_start.empty())
    return Bad("required", "Observation.effectivePeriod.start", "The fit note has no start date");
  if (v.period_end.empty()) {
    // A note stated as a duration ("4 weeks") covers start .. start + duration - 1 day: the Med3
    // "for N days/weeks" form. Other units (months) leave the end open.
    const json::Value* duration = FindExtension(&root, vocab::kDurationUrl);
    const json::Value* value = duration != nullptr ? duration->Find("valueDuration") : nullptr;
    const std::string_view code = StringAt(value, "code");
    const auto start = DayNumber(v.period_start);
    int64_t n = 0;
    bool digits = false;
    if (value != nullptr && value->Find("value") != nullptr && value->Find("value")->IsNumber()) {
      const std::string_view text = value->Find("value")->text();
      digits = !text.empty() && text.size() < 5;
      for (char c : text) digits = digits && c >= '0' && c <= '9';
      if (digits) n = std::stoll(std::string(text));
    }
    if (start && digits && n > 0 && (code == "d" || code == "wk")) {
      v.period_end = FormatDay(*start + n * (code == "wk" ? 7 : 1) - 1);
    }
  }
  const json::Value* issue = FindExtension(&root, vocab::kIssueDateUrl);
  v.issue_date = std::string(StringAt(issue, "valueDate"));
  const json::Value* assessed = FindExtension(&root, vocab::kAssessmentDateUrl);
  v.assessment_date = std::string(StringAt(assessed, "valueDate"));
  v.subject = std::string(StringAt(root.Find("subject"), "reference"));
  if (v.subject.empty()) return Bad("required", "Observation.subject", "The fit note names no patient");
  for (const json::Value& p : ItemsAt(&root, "performer")) {
    if (StringAt(&p, "type") == "PractitionerRole") v.issuer = std::string(StringAt(&p, "reference"));
    if (StringAt(&p, "type") == "Organization") v.issuing_organisation = std::string(StringAt(&p, "reference"));
  }
  if (v.issuer.empty())
    return Bad("required", "Observation.performer", "The fit note names no issuer (PractitionerRole)");
  if (v.issuing_organisation.empty()) {
    return Bad("required", "Observation.performer", "The fit note names no issuing organisation");
  }
  FitNote note;
  note.doc_ = std::move(doc);
  note.view_ = std::move(v);
  return note;
}

common::BasicResult<std::string, Problem> BuildReplacementNote(const FitNote& original, const ReplacementSpec& spec) {
  if (spec.id.empty()) return Bad("required", "Observation.id", "No id was given for the new fit note");
  if (!IsInstant(spec.now))
    return Bad("value", "Observation.issued", "The clock time is not a FHIR instant: " + spec.now);
  const FitNoteView& o = original.view();
  const int64_t today = *DayNumber(spec.now);
  const auto end = DayNumber(o.period_end);
  if (!end) {
    return Bad("required", "Observation.effectivePeriod.end",
               "The fit note " + o.id + " states no end date, so the replacement's period cannot be set");
  }
  if (*end < today) {
    return Bad("business-rule", "Observation.effectivePeriod.end",
               "The fit note " + o.id + " ended on " + o.period_end + ", before " + FormatDay(today) +
                   ": a clinician must issue a new note");
  }
  const bool not_fit = spec.reason == ReplacementReason::kSspFallback;
  const std::string outcome = not_fit ? "not-fit" : "may-be-fit";
  for (const std::string& a : spec.adjustments) {
    if (not_fit)
      return Bad("business-rule", "Observation.component", "A 'not fit for work' note carries no options (ww-fn-2)");
    if (Lookup(kAdjustments, a) == nullptr) return Bad("code-invalid", "Observation.component", "Unknown option " + a);
  }
  const std::string day = FormatDay(today);
  const json::Value& root = original.root();

  json::Document out;
  json::Builder b(out);
  b.StartObject().Key("resourceType").String("Observation").Key("id").String(spec.id);
  b.Key("meta").StartObject().Key("profile").StartArray().String(vocab::kFitNoteProfile).EndArray().EndObject();
  const std::string text = not_fit
      ? "Not fit for work from " + day + ": the employer could not make the adjustments of the Stay in Work plan "
        "(Statutory Sick Pay fallback). Replaces fit note " + o.id + "."
      : "May be fit for work from " + day + " taking account of the agreed Stay in Work plan. Replaces fit note " +
        o.id + ".";
  b.Key("text").StartObject().Key("status").String("generated").Key("div")
      .String("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + Escape(text) + "</div>").EndObject();
  b.Key("extension").StartArray();
  for (const json::Value& e : ItemsAt(&root, "extension")) {
    const std::string_view url = StringAt(&e, "url");
    if (url == vocab::kReasonReferenceUrl || url == vocab::kAssessmentDateUrl) b.Raw(e);
  }
  b.StartObject().Key("url").String(vocab::kIssueDateUrl).Key("valueDate").String(day).EndObject();
  b.StartObject().Key("url").String(vocab::kReplacesUrl).Key("valueReference").StartObject()
      .Key("reference").String("Observation/" + o.id).EndObject().EndObject();
  b.StartObject().Key("url").String(vocab::kReplacementReasonUrl).Key("valueCoding");
  Coding(b, vocab::kReplacementReasonSystem, ReplacementReasonCode(spec.reason));
  b.EndObject();
  b.EndArray();
  b.Key("identifier").StartArray().StartObject().Key("system").String(vocab::kFitNoteIdSystem).Key("value")
      .String(spec.id).EndObject().EndArray();
  b.Key("status").String("final");
  b.Key("code").StartObject().Key("coding").StartArray();
  Coding(b, vocab::kSnomed, vocab::kMed3Code, vocab::kMed3Display);
  b.EndArray().EndObject();
  b.Key("subject").Raw(*root.Find("subject"));
  b.Key("effectivePeriod").StartObject().Key("start").String(day).Key("end").String(o.period_end).EndObject();
  b.Key("issued").String(spec.now);
  b.Key("performer").Raw(*root.Find("performer"));
  b.Key("valueCodeableConcept").StartObject().Key("coding").StartArray();
  Coding(b, vocab::kFitNoteOutcomeSystem, outcome, OutcomeDisplay(outcome));
  const Snomed* sct = Lookup(kOutcomes, outcome);
  Coding(b, vocab::kSnomed, sct->code, sct->display);
  b.EndArray().EndObject();
  b.Key("component").StartArray();
  for (const std::string& a : spec.adjustments) {
    b.StartObject().Key("code").StartObject().Key("coding").StartArray();
    Coding(b, vocab::kFitNoteComponentSystem, "adjustment");
    b.EndArray().EndObject();
    b.Key("valueCodeableConcept").StartObject().Key("coding").StartArray();
    Coding(b, vocab::kFitNoteAdjustmentSystem, a);
    const Snomed* s = Lookup(kAdjustments, a);
    Coding(b, vocab::kSnomed, s->code, s->display);
    b.EndArray().EndObject().EndObject();
  }
  if (const json::Value* comment = Component(root, "functional-effects")) b.Raw(*comment);
  if (const json::Value* reassess = Component(root, "reassessment-needed")) {
    b.Raw(*reassess);
  } else {
    b.StartObject().Key("code").StartObject().Key("coding").StartArray();
    Coding(b, vocab::kFitNoteComponentSystem, "reassessment-needed");
    b.EndArray().EndObject().Key("valueBoolean").Bool(true).EndObject();
  }
  b.EndArray();
  b.EndObject();
  b.Finish();
  return json::Write(out.root());
}

}  // namespace workwell::stayinwork

#include "adapter/store/search_params.h"

#include <cstdio>
#include <string_view>

namespace workwell::store {

namespace {

using P = ParamType;

// The common parameters of every resource type (their values come from store columns).
constexpr SearchParamDef kCommon[] = {
    {"_id", P::kToken, {}, {}, "Resource.id", "The logical id of the resource"},
    {"_lastUpdated", P::kDate, {}, {}, "Resource.meta.lastUpdated", "When the resource version last changed"},
};

// Per-type tables. Keep each small: only what the gateway's users search by.
constexpr SearchParamDef kPatient[] = {
    {"identifier", P::kToken, {"identifier"}, {}, "Patient.identifier", "A patient identifier, e.g. the NHS number"},
    {"name", P::kString, {"name.family", "name.given", "name.text"}, {}, "Patient.name", "Any part of a name"},
    {"family", P::kString, {"name.family"}, {}, "Patient.name.family", "The family name"},
    {"birthdate", P::kDate, {"birthDate"}, {}, "Patient.birthDate", "The date of birth"},
    {"gender", P::kToken, {"gender"}, {}, "Patient.gender", "Administrative gender"},
    {"general-practitioner", P::kReference, {"generalPractitioner"}, {}, "Patient.generalPractitioner",
     "The registered GP practice or practitioner"},
};

constexpr SearchParamDef kObservation[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "Observation.subject.where(resolve() is Patient)",
     "The patient the observation is about"},
    {"subject", P::kReference, {"subject"}, {}, "Observation.subject", "The subject of the observation"},
    {"status", P::kToken, {"status"}, {}, "Observation.status", "The status of the observation"},
    {"code", P::kToken, {"code"}, {}, "Observation.code", "The code of the observation"},
    {"category", P::kToken, {"category"}, {}, "Observation.category", "The category of the observation"},
    {"date", P::kDate, {"effectiveDateTime", "effectivePeriod", "effectiveInstant"}, {}, "Observation.effective",
     "When the observation applies"},
    {"identifier", P::kToken, {"identifier"}, {}, "Observation.identifier", "A business identifier"},
};

constexpr SearchParamDef kCarePlan[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "CarePlan.subject.where(resolve() is Patient)",
     "The patient the plan is for"},
    {"subject", P::kReference, {"subject"}, {}, "CarePlan.subject", "The subject of the plan"},
    {"status", P::kToken, {"status"}, {}, "CarePlan.status", "The status of the plan"},
    {"intent", P::kToken, {"intent"}, {}, "CarePlan.intent", "proposal | plan | order | option"},
    {"category", P::kToken, {"category"}, {}, "CarePlan.category", "The kind of plan"},
    {"date", P::kDate, {"period"}, {}, "CarePlan.period", "The time period the plan covers"},
    {"identifier", P::kToken, {"identifier"}, {}, "CarePlan.identifier", "A business identifier"},
};

constexpr SearchParamDef kServiceRequest[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "ServiceRequest.subject.where(resolve() is Patient)",
     "The patient the request is for"},
    {"subject", P::kReference, {"subject"}, {}, "ServiceRequest.subject", "The subject of the request"},
    {"status", P::kToken, {"status"}, {}, "ServiceRequest.status", "The status of the request"},
    {"intent", P::kToken, {"intent"}, {}, "ServiceRequest.intent", "The intent of the request"},
    {"category", P::kToken, {"category"}, {}, "ServiceRequest.category", "The classification of the service"},
    {"code", P::kToken, {"code"}, {}, "ServiceRequest.code", "What is being requested"},
    {"authored", P::kDate, {"authoredOn"}, {}, "ServiceRequest.authoredOn", "When the request was signed"},
    {"occurrence", P::kDate, {"occurrenceDateTime", "occurrencePeriod"}, {}, "ServiceRequest.occurrence",
     "When the service should occur"},
    {"performer", P::kReference, {"performer"}, {}, "ServiceRequest.performer", "The requested performer"},
    {"identifier", P::kToken, {"identifier"}, {}, "ServiceRequest.identifier", "A business identifier"},
};

constexpr SearchParamDef kCondition[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "Condition.subject.where(resolve() is Patient)",
     "The patient who has the condition"},
    {"subject", P::kReference, {"subject"}, {}, "Condition.subject", "The subject of the condition"},
    {"clinical-status", P::kToken, {"clinicalStatus"}, {}, "Condition.clinicalStatus", "The clinical status"},
    {"code", P::kToken, {"code"}, {}, "Condition.code", "The code of the condition"},
    {"onset-date", P::kDate, {"onsetDateTime", "onsetPeriod"}, {}, "Condition.onset", "When the condition began"},
    {"recorded-date", P::kDate, {"recordedDate"}, {}, "Condition.recordedDate", "When the condition was recorded"},
    {"identifier", P::kToken, {"identifier"}, {}, "Condition.identifier", "A business identifier"},
};

constexpr SearchParamDef kEncounter[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "Encounter.subject.where(resolve() is Patient)",
     "The patient present at the encounter"},
    {"subject", P::kReference, {"subject"}, {}, "Encounter.subject", "The subject of the encounter"},
    {"status", P::kToken, {"status"}, {}, "Encounter.status", "The status of the encounter"},
    {"date", P::kDate, {"period"}, {}, "Encounter.period", "When the encounter took place"},
    {"identifier", P::kToken, {"identifier"}, {}, "Encounter.identifier", "A business identifier"},
};

constexpr SearchParamDef kTask[] = {
    {"patient", P::kReference, {"for"}, "Patient", "Task.for.where(resolve() is Patient)", "The patient the task is for"},
    {"subject", P::kReference, {"for"}, {}, "Task.for", "The beneficiary of the task"},
    {"focus", P::kReference, {"focus"}, {}, "Task.focus", "What the task acts on"},
    {"status", P::kToken, {"status"}, {}, "Task.status", "The status of the task"},
    {"authored-on", P::kDate, {"authoredOn"}, {}, "Task.authoredOn", "When the task was created"},
    {"identifier", P::kToken, {"identifier"}, {}, "Task.identifier", "A business identifier"},
};

constexpr SearchParamDef kConsent[] = {
    {"patient", P::kReference, {"patient"}, "Patient", "Consent.patient", "The patient who consented"},
    {"status", P::kToken, {"status"}, {}, "Consent.status", "The status of the consent"},
    {"date", P::kDate, {"dateTime"}, {}, "Consent.dateTime", "When the consent was given"},
    {"identifier", P::kToken, {"identifier"}, {}, "Consent.identifier", "A business identifier"},
};

constexpr SearchParamDef kDocumentReference[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "DocumentReference.subject.where(resolve() is Patient)",
     "The patient the document is about"},
    {"subject", P::kReference, {"subject"}, {}, "DocumentReference.subject", "The subject of the document"},
    {"status", P::kToken, {"status"}, {}, "DocumentReference.status", "current | superseded | entered-in-error"},
    {"type", P::kToken, {"type"}, {}, "DocumentReference.type", "The kind of document"},
    {"date", P::kDate, {"date"}, {}, "DocumentReference.date", "When the reference was created"},
    {"identifier", P::kToken, {"identifier", "masterIdentifier"}, {}, "DocumentReference.identifier",
     "A business identifier"},
};

constexpr SearchParamDef kComposition[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "Composition.subject.where(resolve() is Patient)",
     "The patient the composition is about"},
    {"subject", P::kReference, {"subject"}, {}, "Composition.subject", "The subject of the composition"},
    {"status", P::kToken, {"status"}, {}, "Composition.status", "preliminary | final | amended | entered-in-error"},
    {"type", P::kToken, {"type"}, {}, "Composition.type", "The kind of composition"},
    {"date", P::kDate, {"date"}, {}, "Composition.date", "The composition editing time"},
    {"period", P::kDate, {"event.period"}, {}, "Composition.event.period", "The period covered"},
    {"identifier", P::kToken, {"identifier"}, {}, "Composition.identifier", "A business identifier"},
};

constexpr SearchParamDef kAuditEvent[] = {
    {"date", P::kDate, {"recorded"}, {}, "AuditEvent.recorded", "When the event was recorded"},
    {"outcome", P::kToken, {"outcome"}, {}, "AuditEvent.outcome", "0 success, 4 minor failure, 8 serious failure"},
    {"action", P::kToken, {"action"}, {}, "AuditEvent.action", "C | R | U | D | E"},
    {"altid", P::kToken, {"agent.altId"}, {}, "AuditEvent.agent.altId", "The client id of the agent"},
    {"entity", P::kReference, {"entity.what"}, {}, "AuditEvent.entity.what", "What was touched"},
    {"type", P::kToken, {"type"}, {}, "AuditEvent.type", "The kind of event"},
};

constexpr SearchParamDef kCommunication[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "Communication.subject.where(resolve() is Patient)",
     "The patient the message is about"},
    {"subject", P::kReference, {"subject"}, {}, "Communication.subject", "The subject of the message"},
    {"recipient", P::kReference, {"recipient"}, {}, "Communication.recipient", "Who the message is for"},
    {"identifier", P::kToken, {"identifier"}, {}, "Communication.identifier", "A business identifier"},
    {"sent", P::kDate, {"sent"}, {}, "Communication.sent", "When it was sent"},
};

constexpr SearchParamDef kSubscription[] = {
    {"status", P::kToken, {"status"}, {}, "Subscription.status", "requested | active | error | off"},
    {"type", P::kToken, {"channel.type"}, {}, "Subscription.channel.type", "rest-hook | websocket | email | sms | message"},
};

constexpr SearchParamDef kHealthcareService[] = {
    {"identifier", P::kToken, {"identifier"}, {}, "HealthcareService.identifier", "An identifier, e.g. the DoS service id"},
    {"name", P::kString, {"name"}, {}, "HealthcareService.name", "The name of the service"},
};

constexpr SearchParamDef kOrganization[] = {
    {"identifier", P::kToken, {"identifier"}, {}, "Organization.identifier", "An identifier, e.g. the ODS code"},
    {"name", P::kString, {"name", "alias"}, {}, "Organization.name", "The name or an alias"},
};

constexpr SearchParamDef kPractitioner[] = {
    {"identifier", P::kToken, {"identifier"}, {}, "Practitioner.identifier", "An identifier"},
    {"name", P::kString, {"name.family", "name.given", "name.text"}, {}, "Practitioner.name", "Any part of a name"},
};

constexpr SearchParamDef kQuestionnaireResponse[] = {
    {"patient", P::kReference, {"subject"}, "Patient", "QuestionnaireResponse.subject.where(resolve() is Patient)",
     "The patient the answers are about"},
    {"subject", P::kReference, {"subject"}, {}, "QuestionnaireResponse.subject", "The subject of the answers"},
    {"status", P::kToken, {"status"}, {}, "QuestionnaireResponse.status", "The status of the response"},
    {"authored", P::kDate, {"authored"}, {}, "QuestionnaireResponse.authored", "When the answers were gathered"},
    {"identifier", P::kToken, {"identifier"}, {}, "QuestionnaireResponse.identifier", "A business identifier"},
};

struct TypeTable {
  std::string_view type;
  std::span<const SearchParamDef> params;
};

constexpr TypeTable kTables[] = {
    {"AuditEvent", kAuditEvent},
    {"CarePlan", kCarePlan},
    {"Communication", kCommunication},
    {"Composition", kComposition},
    {"Condition", kCondition},
    {"Consent", kConsent},
    {"DocumentReference", kDocumentReference},
    {"Encounter", kEncounter},
    {"HealthcareService", kHealthcareService},
    {"Observation", kObservation},
    {"Organization", kOrganization},
    {"Patient", kPatient},
    {"Practitioner", kPractitioner},
    {"QuestionnaireResponse", kQuestionnaireResponse},
    {"ServiceRequest", kServiceRequest},
    {"Subscription", kSubscription},
    {"Task", kTask},
};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`; false if they are not there.
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

void AddToken(std::vector<IndexEntry>& out, std::string_view param, std::string_view system, std::string_view value) {
  if (value.empty()) return;
  out.push_back({std::string(param), std::string(system), std::string(value), 0, 0});
}

std::string_view StringMember(const json::Value& v, std::string_view key) {
  const json::Value* m = v.Find(key);
  return m != nullptr && m->IsString() ? m->text() : std::string_view();
}

void IndexCoding(std::vector<IndexEntry>& out, std::string_view param, const json::Value& coding) {
  AddToken(out, param, StringMember(coding, "system"), StringMember(coding, "code"));
}

void IndexLeaf(const SearchParamDef& def, const json::Value& leaf, std::vector<IndexEntry>& out) {
  switch (def.type) {
    case ParamType::kToken:
      if (leaf.IsString()) {
        AddToken(out, def.name, "", leaf.text());
      } else if (leaf.IsBool()) {
        AddToken(out, def.name, "", leaf.AsBool() ? "true" : "false");
      } else if (leaf.IsObject()) {
        if (const json::Value* codings = leaf.Find("coding"); codings != nullptr) {
          for (const json::Value& c : codings->items()) IndexCoding(out, def.name, c);
        } else if (leaf.Find("code") != nullptr) {
          IndexCoding(out, def.name, leaf);
        } else {
          AddToken(out, def.name, StringMember(leaf, "system"), StringMember(leaf, "value"));
        }
      }
      return;
    case ParamType::kReference: {
      if (!leaf.IsObject()) return;
      const std::string_view ref = StringMember(leaf, "reference");
      if (ref.empty()) return;
      std::string normal = NormaliseReference(ref);
      if (!def.target.empty()) {
        const size_t slash = normal.find('/');
        if (slash == std::string::npos || std::string_view(normal).substr(0, slash) != def.target) return;
      }
      out.push_back({std::string(def.name), "", std::move(normal), 0, 0});
      return;
    }
    case ParamType::kDate: {
      DateRange range;
      if (leaf.IsString()) {
        auto r = ParseDateRange(leaf.text());
        if (!r) return;
        range = *r;
      } else if (leaf.IsObject()) {
        const auto start = ParseDateRange(StringMember(leaf, "start"));
        const auto end = ParseDateRange(StringMember(leaf, "end"));
        if (!start && !end) return;
        range.low = start ? start->low : kMinTime;
        range.high = end ? end->high : kMaxTime;
      } else {
        return;
      }
      out.push_back({std::string(def.name), "", "", range.low, range.high});
      return;
    }
    case ParamType::kString:
      if (leaf.IsString()) out.push_back({std::string(def.name), "", FoldString(leaf.text()), 0, 0});
      return;
  }
}

// Visits every value at the dotted `path` below `v`, descending through arrays.
template <typename F>
void VisitPath(const json::Value& v, std::string_view path, F&& f) {
  if (v.IsArray()) {
    for (const json::Value& item : v.items()) VisitPath(item, path, f);
    return;
  }
  if (path.empty()) {
    f(v);
    return;
  }
  if (!v.IsObject()) return;
  const size_t dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  if (const json::Value* child = v.Find(head); child != nullptr) VisitPath(*child, rest, f);
}

}  // namespace

const char* ParamTypeCode(ParamType type) {
  switch (type) {
    case ParamType::kToken: return "token";
    case ParamType::kReference: return "reference";
    case ParamType::kDate: return "date";
    case ParamType::kString: return "string";
  }
  return "token";
}

std::span<const SearchParamDef> SearchParamsFor(std::string_view resource_type) {
  for (const TypeTable& t : kTables) {
    if (t.type == resource_type) return t.params;
  }
  return {};
}

std::span<const SearchParamDef> CommonSearchParams() { return kCommon; }

const SearchParamDef* FindSearchParam(std::string_view resource_type, std::string_view name) {
  for (const SearchParamDef& d : kCommon) {
    if (d.name == name) return &d;
  }
  for (const SearchParamDef& d : SearchParamsFor(resource_type)) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::vector<std::string_view> IndexedResourceTypes() {
  std::vector<std::string_view> out;
  for (const TypeTable& t : kTables) out.push_back(t.type);
  return out;
}

std::optional<DateRange> ParseDateRange(std::string_view s) {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  if (!Digits(s, 0, 4, year)) return std::nullopt;
  enum class Prec { kYear, kMonth, kDay, kTime } prec = Prec::kYear;
  size_t pos = 4;
  if (pos < s.size()) {
    if (s[pos] != '-' || !Digits(s, pos + 1, 2, month) || month < 1 || month > 12) return std::nullopt;
    prec = Prec::kMonth;
    pos += 3;
  }
  if (pos < s.size()) {
    if (s[pos] != '-' || !Digits(s, pos + 1, 2, day) || day < 1 ||
        static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
      return std::nullopt;
    }
    prec = Prec::kDay;
    pos += 3;
  }
  int64_t span_micros = 0;
  int64_t offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' || !Digits(s, pos + 1, 2, hour) || hour > 23 || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, minute) || minute > 59) {
      return std::nullopt;
    }
    prec = Prec::kTime;
    pos += 6;
    span_micros = 60 * kMicrosPerSecond;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, second) || second > 60) return std::nullopt;
      pos += 3;
      span_micros = kMicrosPerSecond;
    }
    int64_t fraction = 0;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t digits = 0;
      int64_t scale = kMicrosPerSecond;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 6) {
          scale /= 10;
          fraction += (s[pos] - '0') * scale;
        }
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      span_micros = digits >= 6 ? 1 : scale;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om) ||
            oh > 14 || om > 59) {
          return std::nullopt;
        }
        offset_seconds = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
        pos += 6;
      } else {
        return std::nullopt;
      }
    }
    if (pos != s.size()) return std::nullopt;
    const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const int64_t low = days * kMicrosPerDay + (hour * 3600 + minute * 60 + second - offset_seconds) * kMicrosPerSecond +
                        fraction;
    return DateRange{low, low + span_micros};
  }
  const int64_t low_days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t high_days = 0;
  switch (prec) {
    case Prec::kYear: high_days = DaysFromCivil(year + 1, 1, 1); break;
    case Prec::kMonth:
      high_days = month == 12 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, static_cast<unsigned>(month + 1), 1);
      break;
    default: high_days = low_days + 1; break;
  }
  return DateRange{low_days * kMicrosPerDay, high_days * kMicrosPerDay};
}

std::string FormatInstant(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rem = micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  const int64_t secs = rem / kMicrosPerSecond;
  const int64_t millis = (rem % kMicrosPerSecond) / 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), static_cast<long long>(millis));
  return buf;
}

std::string NormaliseReference(std::string_view ref) {
  if (ref.empty() || ref[0] == '#' || ref.starts_with("urn:")) return std::string(ref);
  if (const size_t h = ref.find("/_history/"); h != std::string_view::npos) ref = ref.substr(0, h);
  if (ref.find("://") != std::string_view::npos) {
    const size_t last = ref.rfind('/');
    if (last != std::string_view::npos && last > 0) {
      const size_t prev = ref.rfind('/', last - 1);
      if (prev != std::string_view::npos) ref = ref.substr(prev + 1);
    }
  }
  return std::string(ref);
}

std::string FoldString(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<IndexEntry> ExtractIndex(std::string_view resource_type, const json::Value& resource) {
  std::vector<IndexEntry> out;
  for (const SearchParamDef& def : SearchParamsFor(resource_type)) {
    for (std::string_view path : def.paths) {
      if (path.empty()) continue;
      VisitPath(resource, path, [&](const json::Value& leaf) { IndexLeaf(def, leaf, out); });
    }
  }
  return out;
}

}  // namespace workwell::store

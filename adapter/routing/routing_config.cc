#include "adapter/routing/routing_config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "adapter/routing/strict_reader.h"

namespace workwell::routing {
namespace {

bool IsUpperAlnum(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool IsEnvName(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool IsHttpUrl(std::string_view s) {
  auto rest = [&](std::string_view scheme) {
    return s.substr(0, scheme.size()) == scheme && s.size() > scheme.size() &&
           s.find_first_of(" \t\r\n") == std::string_view::npos;
  };
  return rest("https://") || rest("http://");
}

std::optional<IcbModel> ParseModel(std::string_view s) {
  if (s == "gp-led-referral") return IcbModel::kGpLedReferral;
  if (s == "direct-work-and-health-service") return IcbModel::kDirectService;
  return std::nullopt;
}

std::optional<Outcome> ParseOutcome(std::string_view s) {
  for (Outcome o : {Outcome::kRoute, Outcome::kSelfCert, Outcome::kNotRoutable, Outcome::kStoreOnly,
                    Outcome::kNeedsGpReferral, Outcome::kNoConsent}) {
    if (s == OutcomeName(o)) return o;
  }
  return std::nullopt;
}

std::optional<fhir::Severity> ParseSeverity(std::string_view s) {
  if (s == "error") return fhir::Severity::kError;
  if (s == "warning") return fhir::Severity::kWarning;
  if (s == "information") return fhir::Severity::kInformation;
  return std::nullopt;
}

// A parsed document, or nullptr after recording why it is not JSON.
bool ParseDoc(const std::string& text, StrictReader& reader, json::Document& doc) {
  json::ParseError error;
  if (!json::Parse(text, json::Limits{}, doc, error)) {
    std::string pointer;
    for (const std::string& p : error.path) pointer = StrictReader::Child(pointer, p);
    reader.Error(pointer, "not valid JSON: " + error.message);
    return false;
  }
  return true;
}

void ParsePractices(const std::string& text, StrictReader& r, RoutingConfig& config,
                    std::vector<std::pair<std::string, std::string>>& icb_refs) {
  json::Document doc;
  if (!ParseDoc(text, r, doc)) return;
  if (!r.ExpectObject(doc.root(), "", {"practices"}, {"practices"})) return;
  const json::Value* list = r.Array(doc.root(), "", "practices", false);
  if (list == nullptr) return;
  for (size_t i = 0; i < list->items().size(); ++i) {
    const json::Value& item = list->items()[i];
    std::string at = StrictReader::Index("/practices", i);
    if (!r.ExpectObject(item, at, {"ods", "icb", "name"}, {"ods", "icb"})) continue;
    std::string ods, icb, name;
    bool have_ods = r.String(item, at, "ods", false, ods);
    bool have_icb = r.String(item, at, "icb", false, icb);
    r.String(item, at, "name", false, name);
    if (have_ods && !IsUpperAlnum(ods, 3, 8)) {
      r.Error(StrictReader::Child(at, "ods"), "expected an ODS code (3 to 8 upper-case letters and digits)");
      have_ods = false;
    }
    if (!have_ods || !have_icb) continue;
    if (!config.practice_icb.emplace(ods, icb).second) {
      r.Error(StrictReader::Child(at, "ods"), "practice " + ods + " is listed twice");
      continue;
    }
    icb_refs.emplace_back(StrictReader::Child(at, "icb"), icb);
  }
}

void ParsePostcodes(const std::string& text, StrictReader& r, RoutingConfig& config,
                    std::vector<std::pair<std::string, std::string>>& icb_refs) {
  json::Document doc;
  if (!ParseDoc(text, r, doc)) return;
  if (!r.ExpectObject(doc.root(), "", {"districts"}, {"districts"})) return;
  const json::Value* list = r.Array(doc.root(), "", "districts", false);
  if (list == nullptr) return;
  for (size_t i = 0; i < list->items().size(); ++i) {
    const json::Value& item = list->items()[i];
    std::string at = StrictReader::Index("/districts", i);
    if (!r.ExpectObject(item, at, {"district", "icb"}, {"district", "icb"})) continue;
    std::string district, icb;
    bool have_district = r.String(item, at, "district", false, district);
    bool have_icb = r.String(item, at, "icb", false, icb);
    if (have_district && (!IsUpperAlnum(district, 2, 4) || !(district[0] >= 'A' && district[0] <= 'Z'))) {
      r.Error(StrictReader::Child(at, "district"), "expected a postcode district such as \"B15\" or \"SW1A\"");
      have_district = false;
    }
    if (!have_district || !have_icb) continue;
    if (!config.district_icb.emplace(district, icb).second) {
      r.Error(StrictReader::Child(at, "district"), "district " + district + " is listed twice");
      continue;
    }
    icb_refs.emplace_back(StrictReader::Child(at, "icb"), icb);
  }
}

void ParseService(const json::Value& item, const std::string& at, StrictReader& r, std::set<std::string>& ids,
                  Service& s) {
  if (!r.ExpectObject(item, at,
                      {"id", "name", "endpoint", "healthcareService", "organisation", "tiers", "conditions",
                       "credentialEnv", "maxConcurrency"},
                      {"id", "endpoint", "healthcareService", "organisation", "tiers", "conditions"})) {
    return;
  }
  if (r.String(item, at, "id", false, s.id) && !ids.insert(s.id).second) {
    r.Error(StrictReader::Child(at, "id"), "service id " + s.id + " is used twice");
  }
  r.String(item, at, "name", false, s.name);
  if (r.String(item, at, "endpoint", false, s.endpoint) && !IsHttpUrl(s.endpoint)) {
    r.Error(StrictReader::Child(at, "endpoint"), "expected an http:// or https:// URL");
  }
  if (const json::Value* hs = item.Find("healthcareService")) {
    std::string hs_at = StrictReader::Child(at, "healthcareService");
    if (r.ExpectObject(*hs, hs_at, {"system", "value"}, {"system", "value"})) {
      r.String(*hs, hs_at, "system", false, s.identifier_system);
      r.String(*hs, hs_at, "value", false, s.identifier_value);
    }
  }
  if (r.String(item, at, "organisation", false, s.organisation_ods) && !IsUpperAlnum(s.organisation_ods, 3, 8)) {
    r.Error(StrictReader::Child(at, "organisation"), "expected an ODS code");
  }
  if (r.StringList(item, at, "tiers", false, KnownTiers(), s.tiers) && s.tiers.empty()) {
    r.Error(StrictReader::Child(at, "tiers"), "a service must serve at least one tier");
  }
  if (r.StringList(item, at, "conditions", false, KnownConditionCategories(), s.conditions) &&
      s.conditions.empty()) {
    r.Error(StrictReader::Child(at, "conditions"), "a service must serve at least one condition category");
  }
  if (r.String(item, at, "credentialEnv", false, s.credential_env) && !IsEnvName(s.credential_env)) {
    r.Error(StrictReader::Child(at, "credentialEnv"),
            "expected the NAME of an environment variable ([A-Z_][A-Z0-9_]*), never a secret");
  }
  r.Uint(item, at, "maxConcurrency", false, 1, 1024, s.max_concurrency);
}

void ParseIcbs(const std::string& text, StrictReader& r, RoutingConfig& config) {
  json::Document doc;
  if (!ParseDoc(text, r, doc)) return;
  if (!r.ExpectObject(doc.root(), "", {"icbs"}, {"icbs"})) return;
  const json::Value* list = r.Array(doc.root(), "", "icbs", false);
  if (list == nullptr) return;
  std::set<std::string> service_ids;
  for (size_t i = 0; i < list->items().size(); ++i) {
    const json::Value& item = list->items()[i];
    std::string at = StrictReader::Index("/icbs", i);
    if (!r.ExpectObject(item, at, {"code", "name", "pilot", "model", "services"}, {"code", "name", "pilot"})) {
      continue;
    }
    Icb icb;
    bool have_code = r.String(item, at, "code", false, icb.code);
    if (have_code && !IsUpperAlnum(icb.code, 3, 3)) {
      r.Error(StrictReader::Child(at, "code"), "expected a three-character ICB ODS code");
    }
    r.String(item, at, "name", false, icb.name);
    r.Bool(item, at, "pilot", false, icb.pilot);
    std::string model;
    if (r.String(item, at, "model", false, model)) {
      icb.model = ParseModel(model);
      if (!icb.model) {
        r.Error(StrictReader::Child(at, "model"),
                "expected \"gp-led-referral\" or \"direct-work-and-health-service\"");
      }
    }
    if (const json::Value* services = r.Array(item, at, "services", false)) {
      std::string s_at = StrictReader::Child(at, "services");
      for (size_t j = 0; j < services->items().size(); ++j) {
        Service s;
        ParseService(services->items()[j], StrictReader::Index(s_at, j), r, service_ids, s);
        icb.services.push_back(std::move(s));
      }
    }
    if (icb.pilot) {
      if (item.Find("model") == nullptr) r.Error(StrictReader::Child(at, "model"), "a WorkWell ICB needs a model");
      if (icb.services.empty()) {
        r.Error(StrictReader::Child(at, "services"), "a WorkWell ICB needs at least one service");
      }
    } else {
      if (item.Find("model") != nullptr) {
        r.Error(StrictReader::Child(at, "model"), "an ICB outside the pilot has no WorkWell model");
      }
      if (!icb.services.empty()) {
        r.Error(StrictReader::Child(at, "services"), "an ICB outside the pilot has no WorkWell services");
      }
    }
    if (!have_code) continue;
    std::string code = icb.code;
    if (!config.icbs.emplace(code, std::move(icb)).second) {
      r.Error(StrictReader::Child(at, "code"), "ICB " + code + " is listed twice");
    }
  }
}

void ParseWhen(const json::Value& when, const std::string& at, StrictReader& r, Rule& rule) {
  if (!r.ExpectObject(when, at, {"icb", "model", "absenceDays", "consent", "gpReferral", "employment", "tier"})) {
    return;
  }
  std::string status;
  if (r.String(when, at, "icb", false, status)) {
    if (status == "pilot" || status == "non-pilot" || status == "unknown") {
      rule.icb_status = status;
    } else {
      r.Error(StrictReader::Child(at, "icb"), "expected \"pilot\", \"non-pilot\" or \"unknown\"");
    }
  }
  std::string model;
  if (r.String(when, at, "model", false, model)) {
    rule.model = ParseModel(model);
    if (!rule.model) {
      r.Error(StrictReader::Child(at, "model"), "expected \"gp-led-referral\" or \"direct-work-and-health-service\"");
    }
  }
  if (const json::Value* days = when.Find("absenceDays")) {
    std::string d_at = StrictReader::Child(at, "absenceDays");
    if (r.ExpectObject(*days, d_at, {"min", "max", "known"})) {
      uint64_t n = 0;
      if (r.Uint(*days, d_at, "min", false, 0, 100000, n)) rule.absence_days.min = n;
      if (r.Uint(*days, d_at, "max", false, 0, 100000, n)) rule.absence_days.max = n;
      bool known = true;
      if (r.Bool(*days, d_at, "known", false, known)) rule.absence_days.known = known;
      if (rule.absence_days.min && rule.absence_days.max && *rule.absence_days.min > *rule.absence_days.max) {
        r.Error(d_at, "min is greater than max: the rule can never match");
      }
    }
  }
  bool b = false;
  if (r.Bool(when, at, "consent", false, b)) rule.consent = b;
  if (r.Bool(when, at, "gpReferral", false, b)) rule.gp_referral = b;
  r.StringList(when, at, "employment", false, KnownEmploymentStatuses(), rule.employment);
  r.StringList(when, at, "tier", false, KnownTiers(), rule.tiers);
}

void ParseThen(const json::Value& then, const std::string& at, StrictReader& r, Rule& rule) {
  if (!r.ExpectObject(then, at, {"decision", "tier", "issue"}, {"decision"})) return;
  std::string decision;
  if (r.String(then, at, "decision", false, decision)) {
    std::optional<Outcome> o = ParseOutcome(decision);
    if (o) {
      rule.outcome = *o;
    } else {
      r.Error(StrictReader::Child(at, "decision"),
              "expected one of: route self-cert not-routable store-only needs-gp-referral no-consent");
    }
  }
  std::string tier;
  if (r.String(then, at, "tier", false, tier)) {
    const auto& tiers = KnownTiers();
    if (std::find(tiers.begin(), tiers.end(), tier) == tiers.end()) {
      r.Error(StrictReader::Child(at, "tier"), "unknown tier \"" + tier + "\"");
    } else if (rule.outcome != Outcome::kRoute) {
      r.Error(StrictReader::Child(at, "tier"), "only a route decision has a tier");
    } else {
      rule.tier = tier;
    }
  }
  if (const json::Value* issue = then.Find("issue")) {
    std::string i_at = StrictReader::Child(at, "issue");
    if (r.ExpectObject(*issue, i_at, {"severity", "code", "text"}, {"severity", "code", "text"})) {
      fhir::Issue out;
      std::string severity;
      if (r.String(*issue, i_at, "severity", false, severity)) {
        std::optional<fhir::Severity> s = ParseSeverity(severity);
        if (s) {
          out.severity = *s;
        } else {
          r.Error(StrictReader::Child(i_at, "severity"), "expected \"error\", \"warning\" or \"information\"");
        }
      }
      r.String(*issue, i_at, "code", false, out.code);
      r.String(*issue, i_at, "text", false, out.text);
      rule.issue = std::move(out);
    }
  }
}

void ParseDecision(const std::string& text, StrictReader& r, RoutingConfig& config) {
  json::Document doc;
  if (!ParseDoc(text, r, doc)) return;
  DecisionTable& table = config.decision;
  if (!r.ExpectObject(doc.root(), "", {"defaultTier", "supportWeeks", "rules"}, {"rules"})) return;
  if (r.String(doc.root(), "", "defaultTier", false, table.default_tier)) {
    const auto& tiers = KnownTiers();
    if (std::find(tiers.begin(), tiers.end(), table.default_tier) == tiers.end()) {
      r.Error("/defaultTier", "unknown tier \"" + table.default_tier + "\"");
    }
  }
  if (const json::Value* weeks = doc.root().Find("supportWeeks")) {
    if (r.ExpectObject(*weeks, "/supportWeeks", {"inWork", "seekingWork"})) {
      r.Uint(*weeks, "/supportWeeks", "inWork", false, 1, 104, table.support_weeks_in_work);
      r.Uint(*weeks, "/supportWeeks", "seekingWork", false, 1, 104, table.support_weeks_seeking_work);
    }
  }
  const json::Value* rules = r.Array(doc.root(), "", "rules", false);
  if (rules == nullptr) return;
  if (rules->items().empty()) r.Error("/rules", "the decision table needs at least one rule");
  std::set<std::string> ids;
  for (size_t i = 0; i < rules->items().size(); ++i) {
    const json::Value& item = rules->items()[i];
    std::string at = StrictReader::Index("/rules", i);
    if (!r.ExpectObject(item, at, {"id", "description", "when", "then"}, {"id", "when", "then"})) continue;
    Rule rule;
    if (r.String(item, at, "id", false, rule.id) && !ids.insert(rule.id).second) {
      r.Error(StrictReader::Child(at, "id"), "rule id " + rule.id + " is used twice");
    }
    std::string description;
    r.String(item, at, "description", false, description);
    if (const json::Value* when = item.Find("when")) ParseWhen(*when, StrictReader::Child(at, "when"), r, rule);
    if (const json::Value* then = item.Find("then")) ParseThen(*then, StrictReader::Child(at, "then"), r, rule);
    table.rules.push_back(std::move(rule));
  }
}

common::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFound("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

const char* IcbModelName(IcbModel model) {
  return model == IcbModel::kGpLedReferral ? "gp-led-referral" : "direct-work-and-health-service";
}

const std::vector<std::string_view>& KnownTiers() {
  static const std::vector<std::string_view> kTiers = {"self-help", "non-clinical-coach", "clinical-msk",
                                                       "clinical-mental-health", "clinical-occupational"};
  return kTiers;
}

const std::vector<std::string_view>& KnownConditionCategories() {
  static const std::vector<std::string_view> kCategories = {"mental-health", "musculoskeletal",
                                                            "cardiorespiratory", "other", "any"};
  return kCategories;
}

const std::vector<std::string_view>& KnownEmploymentStatuses() {
  static const std::vector<std::string_view> kStatuses = {"employed", "self-employed", "unemployed", "unknown"};
  return kStatuses;
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRoute: return "route";
    case Outcome::kSelfCert: return "self-cert";
    case Outcome::kNotRoutable: return "not-routable";
    case Outcome::kStoreOnly: return "store-only";
    case Outcome::kNeedsGpReferral: return "needs-gp-referral";
    case Outcome::kNoConsent: return "no-consent";
  }
  return "not-routable";
}

bool Service::ServesTier(std::string_view tier) const {
  return std::find(tiers.begin(), tiers.end(), tier) != tiers.end();
}

bool Service::ServesCondition(std::string_view category) const {
  return std::find_if(conditions.begin(), conditions.end(),
                      [&](const std::string& c) { return c == "any" || c == category; }) != conditions.end();
}

const Service* RoutingConfig::FindService(std::string_view id) const {
  for (const auto& [code, icb] : icbs) {
    for (const Service& s : icb.services) {
      if (s.id == id) return &s;
    }
  }
  return nullptr;
}

common::Result<std::shared_ptr<const RoutingConfig>> ParseRoutingConfig(const RoutingSources& sources) {
  auto config = std::make_shared<RoutingConfig>();
  std::vector<std::string> errors;
  auto name = [&](std::string_view file) {
    return sources.dir.empty() ? std::string(file) : sources.dir + "/" + std::string(file);
  };
  StrictReader icbs(name(kIcbsFile), errors);
  ParseIcbs(sources.icbs, icbs, *config);
  StrictReader practices(name(kPracticesFile), errors);
  std::vector<std::pair<std::string, std::string>> practice_refs;
  ParsePractices(sources.practices, practices, *config, practice_refs);
  StrictReader postcodes(name(kPostcodesFile), errors);
  std::vector<std::pair<std::string, std::string>> postcode_refs;
  ParsePostcodes(sources.postcodes, postcodes, *config, postcode_refs);
  StrictReader decision(name(kDecisionFile), errors);
  ParseDecision(sources.decision, decision, *config);

  for (const auto& [pointer, code] : practice_refs) {
    if (config->icbs.count(code) == 0) practices.Error(pointer, "ICB " + code + " is not in " + std::string(kIcbsFile));
  }
  for (const auto& [pointer, code] : postcode_refs) {
    if (config->icbs.count(code) == 0) postcodes.Error(pointer, "ICB " + code + " is not in " + std::string(kIcbsFile));
  }
  if (!errors.empty()) {
    std::string message;
    for (const std::string& e : errors) message += e + "\n";
    message.pop_back();
    return common::InvalidArgument(std::move(message));
  }
  return std::shared_ptr<const RoutingConfig>(std::move(config));
}

common::Result<std::shared_ptr<const RoutingConfig>> LoadRoutingConfig(const std::string& dir) {
  RoutingSources sources;
  sources.dir = dir;
  struct Slot {
    std::string_view file;
    std::string* text;
  };
  for (Slot slot : {Slot{kPracticesFile, &sources.practices}, Slot{kIcbsFile, &sources.icbs},
                    Slot{kPostcodesFile, &sources.postcodes}, Slot{kDecisionFile, &sources.decision}}) {
    common::Result<std::string> text = ReadFile(dir + "/" + std::string(slot.file));
    if (!text.ok()) return text.status();
    *slot.text = std::move(text).value();
  }
  return ParseRoutingConfig(sources);
}

common::Status CheckRoutingConfig(const std::string& dir) {
  common::Result<std::shared_ptr<const RoutingConfig>> loaded = LoadRoutingConfig(dir);
  return loaded.ok() ? common::Status::Ok() : loaded.status();
}

}  // namespace workwell::routing

#include "adapter/routing/decision_engine.h"

#include <algorithm>
#include <cctype>

namespace workwell::routing {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Upper(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

fhir::Issue MakeIssue(fhir::Severity severity, std::string code, std::string text) {
  fhir::Issue issue;
  issue.severity = severity;
  issue.code = std::move(code);
  issue.text = std::move(text);
  return issue;
}

struct Facts {
  std::string icb_status;  // pilot, non-pilot, unknown
  const Icb* icb = nullptr;
  std::optional<int64_t> days;
  std::string tier;        // requested tier, or empty
};

bool Matches(const Rule& rule, const Facts& facts, const CaseSummary& summary) {
  if (rule.icb_status && *rule.icb_status != facts.icb_status) return false;
  if (rule.model && (facts.icb == nullptr || facts.icb->model != rule.model)) return false;
  const DaysCondition& d = rule.absence_days;
  if (d.known && *d.known != facts.days.has_value()) return false;
  if (d.min || d.max) {
    if (!facts.days) return false;
    if (d.min && *facts.days < static_cast<int64_t>(*d.min)) return false;
    if (d.max && *facts.days > static_cast<int64_t>(*d.max)) return false;
  }
  if (rule.consent && *rule.consent != summary.consent_to_referral) return false;
  if (rule.gp_referral && *rule.gp_referral != summary.gp_referral) return false;
  if (!rule.employment.empty() && !Contains(rule.employment, summary.employment)) return false;
  if (!rule.tiers.empty() && !Contains(rule.tiers, facts.tier)) return false;
  return true;
}

}  // namespace

std::optional<std::chrono::sys_days> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  size_t starts[3] = {0, 5, 8};
  size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (size_t i = 0; i < lengths[p]; ++i) {
      char c = text[starts[p] + i];
      if (c < '0' || c > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  std::chrono::year_month_day ymd{std::chrono::year{parts[0]}, std::chrono::month{static_cast<unsigned>(parts[1])},
                                  std::chrono::day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::string PostcodeDistrict(std::string_view postcode) {
  std::string compact = Upper(postcode);
  // A full postcode is the outward code (2-4 characters) and a 3-character inward code
  // (digit, letter, letter).
  if (compact.size() < 5 || compact.size() > 7) return {};
  std::string inward = compact.substr(compact.size() - 3);
  if (!std::isdigit(static_cast<unsigned char>(inward[0])) || !std::isalpha(static_cast<unsigned char>(inward[1])) ||
      !std::isalpha(static_cast<unsigned char>(inward[2]))) {
    return {};
  }
  std::string outward = compact.substr(0, compact.size() - 3);
  if (!std::isalpha(static_cast<unsigned char>(outward[0]))) return {};
  for (char c : outward) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return {};
  }
  return outward;
}

DecisionEngine::DecisionEngine(std::shared_ptr<const RoutingConfig> config, DateClock today)
    : config_(std::move(config)), today_(std::move(today)) {}

RoutingDecision DecisionEngine::Decide(const CaseSummary& summary) const {
  RoutingDecision decision;
  Facts facts;
  facts.tier = summary.requested_tier;

  // The ICB: practice first, then the home postcode's district.
  std::string ods = Upper(summary.practice_ods);
  if (auto it = config_->practice_icb.find(ods); !ods.empty() && it != config_->practice_icb.end()) {
    decision.icb_code = it->second;
    decision.icb_source = IcbSource::kPractice;
  } else {
    if (!ods.empty()) {
      decision.issues.push_back(MakeIssue(fhir::Severity::kInformation, "not-found",
                                          "GP practice " + ods + " is not in the practice directory; "
                                          "the home postcode decides the ICB"));
    }
    std::string district = PostcodeDistrict(summary.postcode);
    if (auto pit = config_->district_icb.find(district); !district.empty() && pit != config_->district_icb.end()) {
      decision.icb_code = pit->second;
      decision.icb_source = IcbSource::kPostcode;
    }
  }
  if (!decision.icb_code.empty()) {
    auto icb = config_->icbs.find(decision.icb_code);
    facts.icb = icb == config_->icbs.end() ? nullptr : &icb->second;
  }
  facts.icb_status = facts.icb == nullptr ? "unknown" : (facts.icb->pilot ? "pilot" : "non-pilot");

  // Absence length in calendar days, counting both the first day of absence and the fit note
  // date (absence starting on the 1st with a fit note on the 8th is day 8).
  if (summary.absence_days) {
    facts.days = summary.absence_days;
  } else if (std::optional<std::chrono::sys_days> start = ParseDate(summary.absence_start)) {
    std::optional<std::chrono::sys_days> end = ParseDate(summary.fit_note_date);
    std::chrono::sys_days until = end ? *end : today_();
    int64_t days = (until - *start).count() + 1;
    if (days >= 1) {
      facts.days = days;
    } else {
      decision.issues.push_back(MakeIssue(fhir::Severity::kWarning, "value",
                                          "the absence starts after the fit note date; its length is unknown"));
    }
  }
  decision.absence_days = facts.days;

  const Rule* rule = nullptr;
  for (const Rule& candidate : config_->decision.rules) {
    if (Matches(candidate, facts, summary)) {
      rule = &candidate;
      break;
    }
  }
  if (rule == nullptr) {
    decision.outcome = Outcome::kNotRoutable;
    decision.issues.push_back(MakeIssue(fhir::Severity::kWarning, "not-found",
                                        "no routing rule matches this case; it is stored but not routed"));
    return decision;
  }
  decision.rule_id = rule->id;
  decision.outcome = rule->outcome;
  if (rule->issue) decision.issues.push_back(*rule->issue);
  if (rule->outcome != Outcome::kRoute) return decision;

  // Route: the tier, then the first service of the ICB serving it and the condition.
  decision.tier = !summary.requested_tier.empty() ? summary.requested_tier
                  : rule->tier                    ? *rule->tier
                                                  : config_->decision.default_tier;
  if (facts.icb != nullptr) {
    for (const Service& s : facts.icb->services) {
      if (s.ServesTier(decision.tier) && s.ServesCondition(summary.condition_category)) {
        decision.service = &s;
        break;
      }
    }
  }
  if (decision.service == nullptr) {
    decision.outcome = Outcome::kNotRoutable;
    decision.issues.push_back(MakeIssue(fhir::Severity::kWarning, "not-found",
                                        "no WorkWell service in ICB " + decision.icb_code + " serves tier " +
                                            decision.tier + " for condition category " +
                                            summary.condition_category));
    return decision;
  }
  decision.support_weeks = summary.employment == "unemployed"
                               ? static_cast<int64_t>(config_->decision.support_weeks_seeking_work)
                               : static_cast<int64_t>(config_->decision.support_weeks_in_work);
  return decision;
}

}  // namespace workwell::routing

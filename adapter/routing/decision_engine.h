#pragma once
// The routing decision: given a case summary, which WorkWell service (if any) gets the case,
// at which tier, and why. Pure and deterministic: the answer depends only on the summary, the
// RoutingConfig and the date the injected clock gives; nothing here reads the system time,
// the environment or a file.
//
// Steps: resolve the ICB (the GP practice's ODS code, else the postcode district of the home
// postcode, since eligibility is living in the area OR being registered there); work out the
// absence length in calendar days; find the first matching rule of the decision table; for a
// "route" outcome pick the first service of the ICB that serves the tier and the condition
// category.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/fhir/issue.h"
#include "adapter/routing/routing_config.h"

namespace workwell::routing {

// What the gateway knows about a case when it decides where it goes.
struct CaseSummary {
  std::string practice_ods;          // the registered GP practice; may be empty
  std::string postcode;              // the patient's home postcode; may be empty
  std::string absence_start;         // YYYY-MM-DD, the first day of absence; may be empty
  std::string fit_note_date;         // YYYY-MM-DD, the fit note's issue date; may be empty
  std::optional<int64_t> absence_days;  // when the sender gives the length directly (wins)
  std::string employment = "unknown";   // employed, self-employed, unemployed, unknown
  bool consent_to_referral = false;
  std::string condition_category = "other";  // mental-health, musculoskeletal, cardiorespiratory, other
  std::string requested_tier;        // empty: the rule's or the table's default tier
  bool gp_referral = false;          // a GP referral exists for the case
};

// How the ICB was found.
enum class IcbSource { kPractice, kPostcode, kNone };

struct RoutingDecision {
  Outcome outcome = Outcome::kNotRoutable;
  std::string rule_id;               // the rule that decided; "" when none matched
  std::string icb_code;              // empty when unresolved
  IcbSource icb_source = IcbSource::kNone;
  std::optional<int64_t> absence_days;
  std::string tier;                  // route only
  const Service* service = nullptr;  // route only; points into the engine's RoutingConfig
  int64_t support_weeks = 0;         // route only: 8 in work, 16 seeking work (from config)
  std::vector<fhir::Issue> issues;   // for the sender
};

// Today's date, injected. Production passes one reading the system clock in UK local date;
// tests pass a fixed date.
using DateClock = std::function<std::chrono::sys_days()>;

// Parses YYYY-MM-DD as a calendar date; nullopt for anything else (including 2025-02-30).
std::optional<std::chrono::sys_days> ParseDate(std::string_view text);

// The outward code's district of a UK postcode ("b15 2tt" -> "B15", "SW1A1AA" -> "SW1A"), or
// empty when it does not look like a postcode.
std::string PostcodeDistrict(std::string_view postcode);

// Immutable; Decide is safe to call from any thread. Keeps `config` alive.
class DecisionEngine {
 public:
  DecisionEngine(std::shared_ptr<const RoutingConfig> config, DateClock today);

  // Decides for `summary`. Never fails: an undecidable case is kNotRoutable with an issue.
  RoutingDecision Decide(const CaseSummary& summary) const;

  const RoutingConfig& config() const { return *config_; }

 private:
  std::shared_ptr<const RoutingConfig> config_;
  DateClock today_;
};

}  // namespace workwell::routing

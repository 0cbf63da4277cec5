#pragma once
// The routing configuration: which ICB a GP practice (or, failing that, a postcode district)
// belongs to, which ICBs run WorkWell and how (GP-led referral or a direct Work and Health
// Service), the services each offers, and the ordered decision table that turns a case into an
// outcome. ICBs merge into clusters over time, so all of this is data, never code.
//
// Four files in one directory (config/routing/ ships the defaults): practices.json, icbs.json,
// postcodes.json, decision.json; the format is in docs/ROUTING.md. Loading is strict: unknown
// keys, wrong types, unknown codes and dangling references are errors, each reported as
// "<file>: <JSON pointer>: <message>", and every problem is reported in one pass.
//
// A loaded RoutingConfig is immutable and safe to share between threads; a reload builds a new
// one and swaps the shared_ptr.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/fhir/issue.h"

namespace workwell::routing {

// How an ICB runs WorkWell. kGpLedReferral: triage leads to a GP referral, which is routed;
// kDirectService: a fit note with consent goes straight to the integrated Work and Health
// Service.
enum class IcbModel { kGpLedReferral, kDirectService };

// "gp-led-referral" or "direct-work-and-health-service".
const char* IcbModelName(IcbModel model);

// The tier names, lowest to highest need: self-help, non-clinical-coach, clinical-msk,
// clinical-mental-health, clinical-occupational.
const std::vector<std::string_view>& KnownTiers();
// The condition categories a service may serve: mental-health, musculoskeletal,
// cardiorespiratory, other, any ("any" only in a service's list).
const std::vector<std::string_view>& KnownConditionCategories();
// The employment statuses a case may carry: employed, self-employed, unemployed, unknown.
const std::vector<std::string_view>& KnownEmploymentStatuses();

// One WorkWell service an ICB routes to.
struct Service {
  std::string id;                  // unique across the config; the outbox destination
  std::string name;
  std::string endpoint;            // base URL; messages go to <endpoint>/$process-message
  std::string identifier_system;   // HealthcareService identifier (NHSD-Target-Identifier)
  std::string identifier_value;
  std::string organisation_ods;    // the receiving Organization's ODS code
  std::vector<std::string> tiers;
  std::vector<std::string> conditions;  // condition categories served; "any" serves all
  std::string credential_env;      // NAME of the env var holding the bearer token; may be empty
  uint64_t max_concurrency = 4;    // deliveries in flight to this service

  bool ServesTier(std::string_view tier) const;
  bool ServesCondition(std::string_view category) const;
};

struct Icb {
  std::string code;  // ODS code, e.g. "QHL"
  std::string name;
  bool pilot = false;                 // a WorkWell ICB; false: translate and store only
  std::optional<IcbModel> model;      // set for pilot ICBs
  std::vector<Service> services;      // pilot ICBs only
};

// A range test on the absence length in calendar days. `known` false matches only cases whose
// length could not be worked out.
struct DaysCondition {
  std::optional<uint64_t> min;
  std::optional<uint64_t> max;
  std::optional<bool> known;
};

// What a rule decides.
enum class Outcome { kRoute, kSelfCert, kNotRoutable, kStoreOnly, kNeedsGpReferral, kNoConsent };

// "route", "self-cert", "not-routable", "store-only", "needs-gp-referral", "no-consent".
const char* OutcomeName(Outcome outcome);

// One row of the decision table. Every condition that is set must hold for the rule to match;
// the first matching rule wins.
struct Rule {
  std::string id;
  // Conditions.
  std::optional<std::string> icb_status;        // "pilot", "non-pilot" or "unknown"
  std::optional<IcbModel> model;
  DaysCondition absence_days;
  std::optional<bool> consent;
  std::optional<bool> gp_referral;
  std::vector<std::string> employment;           // any of; empty: any
  std::vector<std::string> tiers;                // any of the case's tier; empty: any
  // Outcome.
  Outcome outcome = Outcome::kNotRoutable;
  std::optional<std::string> tier;               // the tier to route at when the case names none
  std::optional<fhir::Issue> issue;              // told to the sender
};

struct DecisionTable {
  std::vector<Rule> rules;
  std::string default_tier = "non-clinical-coach";
  uint64_t support_weeks_in_work = 8;       // WorkWell support length for a person in work
  uint64_t support_weeks_seeking_work = 16;  // ... and for a person seeking work
};

struct RoutingConfig {
  std::map<std::string, std::string> practice_icb;   // GP practice ODS code -> ICB code
  std::map<std::string, std::string> district_icb;   // postcode district ("B15") -> ICB code
  std::map<std::string, Icb> icbs;                   // by ICB code
  DecisionTable decision;

  // The service with id `id`, or nullptr.
  const Service* FindService(std::string_view id) const;
};

// The file names inside a routing config directory.
inline constexpr std::string_view kPracticesFile = "practices.json";
inline constexpr std::string_view kIcbsFile = "icbs.json";
inline constexpr std::string_view kPostcodesFile = "postcodes.json";
inline constexpr std::string_view kDecisionFile = "decision.json";

// The four files' texts, by file name (as above); `dir` prefixes the names in messages.
struct RoutingSources {
  std::string dir;
  std::string practices;
  std::string icbs;
  std::string postcodes;
  std::string decision;
};

// Parses and cross-checks the four files. InvalidArgument lists every problem, one per line,
// as "<dir>/<file>: <JSON pointer>: <message>".
common::Result<std::shared_ptr<const RoutingConfig>> ParseRoutingConfig(const RoutingSources& sources);

// Reads the four files from `dir` and parses them. NotFound when a file cannot be read.
// Blocks on file I/O: call at start-up or on reload, never on an I/O thread.
common::Result<std::shared_ptr<const RoutingConfig>> LoadRoutingConfig(const std::string& dir);

// For `check-config`: loads `dir` and returns ok or the Status listing every problem.
common::Status CheckRoutingConfig(const std::string& dir);

}  // namespace workwell::routing

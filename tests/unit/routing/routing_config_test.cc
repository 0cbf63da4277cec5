#include "adapter/routing/routing_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace workwell::routing {
namespace {

using ::testing::HasSubstr;

const std::string kShippedDir = WORKWELL_SOURCE_DIR "/config/routing";

TEST(RoutingConfigTest, ShippedConfigLoads) {
  auto loaded = LoadRoutingConfig(kShippedDir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const RoutingConfig& config = **loaded;
  // The 15 WorkWell ICBs of UK-STANDARDS.md are the pilot ICBs, each with a model and services.
  std::set<std::string> pilots;
  for (const auto& [code, icb] : config.icbs) {
    if (!icb.pilot) continue;
    pilots.insert(code);
    EXPECT_TRUE(icb.model.has_value()) << code;
    EXPECT_FALSE(icb.services.empty()) << code;
  }
  EXPECT_EQ(pilots, (std::set<std::string>{"QHL", "QUA", "QUY", "QUE", "QT6", "QWU", "QNQ", "QGH", "QOP", "QE1",
                                           "QK1", "QMJ", "QRV", "QF7", "QXU"}));
  EXPECT_GE(config.practice_icb.size(), 24u);
  EXPECT_GT(config.icbs.size(), 15u) << "non-pilot ICBs are listed too";
  EXPECT_NE(config.FindService("qop-work-and-health"), nullptr);
  EXPECT_TRUE(CheckRoutingConfig(kShippedDir).ok());
}

RoutingSources Minimal() {
  RoutingSources s;
  s.dir = "cfg";
  s.practices = R"({"practices": [{"ods": "A10001", "icb": "QAA"}]})";
  s.postcodes = R"({"districts": [{"district": "AB1", "icb": "QAA"}]})";
  s.icbs = R"({"icbs": [{"code": "QAA", "name": "A", "pilot": true, "model": "gp-led-referral",
    "services": [{"id": "a", "endpoint": "https://a.example.org", "organisation": "QAA01",
                  "healthcareService": {"system": "https://fhir.nhs.uk/Id/dos-service-id", "value": "1"},
                  "tiers": ["self-help"], "conditions": ["any"], "credentialEnv": "A_TOKEN"}]}]})";
  s.decision = R"({"rules": [{"id": "r", "when": {}, "then": {"decision": "route"}}]})";
  return s;
}

TEST(RoutingConfigTest, MinimalConfigParses) {
  auto parsed = ParseRoutingConfig(Minimal());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ((*parsed)->practice_icb.at("A10001"), "QAA");
  EXPECT_EQ((*parsed)->decision.default_tier, "non-clinical-coach");
}

TEST(RoutingConfigTest, ErrorsNameFileAndPointer) {
  RoutingSources s = Minimal();
  s.practices = R"({"practices": [{"ods": "A10001", "icb": "QZZ"}, {"ods": "a", "icb": "QAA", "extra": 1}]})";
  s.icbs = R"({"icbs": [{"code": "QAA", "name": "A", "pilot": true, "model": "gp-led-referral",
    "services": [{"id": "a", "endpoint": "ftp://a", "organisation": "QAA01",
                  "healthcareService": {"system": "s", "value": "1"},
                  "tiers": ["gold"], "conditions": ["any"], "credentialEnv": "sk-live-123"}]},
    {"code": "QBB", "name": "B", "pilot": false, "model": "gp-led-referral"}]})";
  s.decision = R"({"rules": [{"id": "r", "when": {"absenceDays": {"min": 9, "max": 2}}, "then": {"decision": "maybe"}},
                             {"id": "r", "when": {}, "then": {"decision": "self-cert", "tier": "self-help"}}]})";
  auto parsed = ParseRoutingConfig(s);
  ASSERT_FALSE(parsed.ok());
  const std::string& m = parsed.status().message();
  EXPECT_THAT(m, HasSubstr("cfg/practices.json: /practices/0/icb: ICB QZZ is not in icbs.json"));
  EXPECT_THAT(m, HasSubstr("cfg/practices.json: /practices/1/extra: unknown key"));
  EXPECT_THAT(m, HasSubstr("cfg/practices.json: /practices/1/ods: expected an ODS code"));
  EXPECT_THAT(m, HasSubstr("cfg/icbs.json: /icbs/0/services/0/endpoint: expected an http:// or https:// URL"));
  EXPECT_THAT(m, HasSubstr("cfg/icbs.json: /icbs/0/services/0/tiers/0: unknown value \"gold\""));
  EXPECT_THAT(m, HasSubstr("cfg/icbs.json: /icbs/0/services/0/credentialEnv: expected the NAME"));
  EXPECT_THAT(m, HasSubstr("cfg/icbs.json: /icbs/1/model: an ICB outside the pilot has no WorkWell model"));
  EXPECT_THAT(m, HasSubstr("cfg/decision.json: /rules/0/when/absenceDays: min is greater than max"));
  EXPECT_THAT(m, HasSubstr("cfg/decision.json: /rules/0/then/decision: expected one of"));
  EXPECT_THAT(m, HasSubstr("cfg/decision.json: /rules/1/id: rule id r is used twice"));
  EXPECT_THAT(m, HasSubstr("cfg/decision.json: /rules/1/then/tier: only a route decision has a tier"));
}

TEST(RoutingConfigTest, MalformedJsonAndMissingKeys) {
  RoutingSources s = Minimal();
  s.postcodes = R"({"districts": [)";
  s.decision = R"({"defaultTier": "platinum"})";
  auto parsed = ParseRoutingConfig(s);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), HasSubstr("cfg/postcodes.json: "));
  EXPECT_THAT(parsed.status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(parsed.status().message(), HasSubstr("cfg/decision.json: /rules: required key is missing"));
  EXPECT_THAT(parsed.status().message(), HasSubstr("cfg/decision.json: /defaultTier: unknown tier"));
}

TEST(RoutingConfigTest, MissingDirectoryIsNotFound) {
  auto loaded = LoadRoutingConfig("/nonexistent/routing");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), common::StatusCode::kNotFound);
}

}  // namespace
}  // namespace workwell::routing

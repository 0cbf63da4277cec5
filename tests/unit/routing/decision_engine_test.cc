#include "adapter/routing/decision_engine.h"

#include <gtest/gtest.h>

#include <string>

namespace workwell::routing {
namespace {

using std::chrono::sys_days;

class DecisionEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadRoutingConfig(WORKWELL_SOURCE_DIR "/config/routing");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    engine_ = std::make_unique<DecisionEngine>(std::move(loaded).value(), [] { return *ParseDate("2026-03-20"); });
  }

  // A consented, employed case from a GP-led practice (Birmingham and Solihull), day 10.
  static CaseSummary GpLedCase() {
    CaseSummary c;
    c.practice_ods = "M85001";
    c.postcode = "B15 2TT";
    c.absence_start = "2026-03-01";
    c.fit_note_date = "2026-03-10";
    c.employment = "employed";
    c.consent_to_referral = true;
    c.gp_referral = true;
    c.condition_category = "musculoskeletal";
    return c;
  }
  // The same case in a direct-service ICB (Greater Manchester), without a GP referral.
  static CaseSummary DirectCase() {
    CaseSummary c = GpLedCase();
    c.practice_ods = "P84001";
    c.postcode = "M14 5AB";
    c.gp_referral = false;
    return c;
  }

  std::unique_ptr<DecisionEngine> engine_;
};

TEST_F(DecisionEngineTest, GpLedIcbRoutesAGpReferralAtTheDefaultTier) {
  RoutingDecision d = engine_->Decide(GpLedCase());
  EXPECT_EQ(d.outcome, Outcome::kRoute);
  EXPECT_EQ(d.rule_id, "gp-led-route");
  EXPECT_EQ(d.icb_code, "QHL");
  EXPECT_EQ(d.icb_source, IcbSource::kPractice);
  EXPECT_EQ(d.absence_days, 10);
  EXPECT_EQ(d.tier, "non-clinical-coach");
  ASSERT_NE(d.service, nullptr);
  EXPECT_EQ(d.service->id, "qhl-coaching");
  EXPECT_EQ(d.support_weeks, 8);
  EXPECT_TRUE(d.issues.empty());
}

TEST_F(DecisionEngineTest, GpLedIcbWithoutGpReferralWaits) {
  CaseSummary c = GpLedCase();
  c.gp_referral = false;
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.outcome, Outcome::kNeedsGpReferral);
  EXPECT_EQ(d.rule_id, "gp-led-needs-referral");
  EXPECT_EQ(d.service, nullptr);
  ASSERT_EQ(d.issues.size(), 1u);
}

TEST_F(DecisionEngineTest, DirectIcbRoutesAFitNoteWithConsentWithoutGpReferral) {
  RoutingDecision d = engine_->Decide(DirectCase());
  EXPECT_EQ(d.outcome, Outcome::kRoute);
  EXPECT_EQ(d.rule_id, "direct-route");
  EXPECT_EQ(d.icb_code, "QOP");
  ASSERT_NE(d.service, nullptr);
  EXPECT_EQ(d.service->id, "qop-work-and-health");
}

TEST_F(DecisionEngineTest, EachClinicalTierGoesToItsServiceLine) {
  struct Row {
    const char* tier;
    const char* category;
    const char* service;
  } rows[] = {
      {"self-help", "other", "qhl-coaching"},
      {"non-clinical-coach", "mental-health", "qhl-coaching"},
      {"clinical-msk", "musculoskeletal", "qhl-msk"},
      {"clinical-mental-health", "mental-health", "qhl-talking-therapies"},
      {"clinical-occupational", "cardiorespiratory", "qhl-occupational-health"},
  };
  for (const Row& row : rows) {
    CaseSummary c = GpLedCase();
    c.requested_tier = row.tier;
    c.condition_category = row.category;
    RoutingDecision d = engine_->Decide(c);
    ASSERT_EQ(d.outcome, Outcome::kRoute) << row.tier;
    EXPECT_EQ(d.tier, row.tier);
    ASSERT_NE(d.service, nullptr) << row.tier;
    EXPECT_EQ(d.service->id, row.service) << row.tier;
  }
}

TEST_F(DecisionEngineTest, ClinicalTierWithoutAMatchingServiceLineIsNotRoutable) {
  CaseSummary c = GpLedCase();
  c.requested_tier = "clinical-msk";
  c.condition_category = "mental-health";
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.outcome, Outcome::kNotRoutable);
  EXPECT_EQ(d.rule_id, "gp-led-route");
  EXPECT_EQ(d.service, nullptr);
  ASSERT_FALSE(d.issues.empty());
}

TEST_F(DecisionEngineTest, DaySevenIsSelfCertificationAndDayEightIsTriage) {
  CaseSummary c = DirectCase();
  c.fit_note_date = "2026-03-07";  // 1st to 7th: 7 calendar days
  RoutingDecision seven = engine_->Decide(c);
  EXPECT_EQ(seven.absence_days, 7);
  EXPECT_EQ(seven.outcome, Outcome::kSelfCert);
  EXPECT_EQ(seven.rule_id, "short-absence-self-cert");
  ASSERT_EQ(seven.issues.size(), 1u);
  EXPECT_EQ(seven.issues[0].severity, fhir::Severity::kInformation);

  c.fit_note_date = "2026-03-08";
  RoutingDecision eight = engine_->Decide(c);
  EXPECT_EQ(eight.absence_days, 8);
  EXPECT_EQ(eight.outcome, Outcome::kRoute);
}

TEST_F(DecisionEngineTest, AbsenceLengthGivenDirectlyWins) {
  CaseSummary c = DirectCase();
  c.absence_days = 3;
  EXPECT_EQ(engine_->Decide(c).outcome, Outcome::kSelfCert);
}

TEST_F(DecisionEngineTest, WithoutFitNoteDateTheInjectedClockEndsTheAbsence) {
  CaseSummary c = DirectCase();
  c.fit_note_date.clear();
  c.absence_start = "2026-03-14";  // 14th to 20th (today): day 7
  EXPECT_EQ(engine_->Decide(c).outcome, Outcome::kSelfCert);
  c.absence_start = "2026-03-13";
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.absence_days, 8);
  EXPECT_EQ(d.outcome, Outcome::kRoute);
}

TEST_F(DecisionEngineTest, UnknownAbsenceLengthIsNotRoutable) {
  CaseSummary c = DirectCase();
  c.absence_start.clear();
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.outcome, Outcome::kNotRoutable);
  EXPECT_EQ(d.rule_id, "absence-length-unknown");
}

TEST_F(DecisionEngineTest, UnemployedPersonIsRoutedWithSixteenWeeksOfSupport) {
  CaseSummary c = DirectCase();
  c.employment = "unemployed";
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.outcome, Outcome::kRoute);
  EXPECT_EQ(d.support_weeks, 16);
}

TEST_F(DecisionEngineTest, NoConsentMeansNoReferralAndTheSenderIsTold) {
  for (CaseSummary c : {GpLedCase(), DirectCase()}) {
    c.consent_to_referral = false;
    RoutingDecision d = engine_->Decide(c);
    EXPECT_EQ(d.outcome, Outcome::kNoConsent);
    EXPECT_EQ(d.rule_id, "no-consent");
    EXPECT_EQ(d.service, nullptr);
    ASSERT_EQ(d.issues.size(), 1u);
    EXPECT_EQ(d.issues[0].severity, fhir::Severity::kWarning);
  }
}

TEST_F(DecisionEngineTest, UnknownPracticeFallsBackToThePostcode) {
  CaseSummary c = DirectCase();
  c.practice_ods = "Z99999";
  c.postcode = "m145ab";
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.icb_code, "QOP");
  EXPECT_EQ(d.icb_source, IcbSource::kPostcode);
  EXPECT_EQ(d.outcome, Outcome::kRoute);
  ASSERT_EQ(d.issues.size(), 1u);  // the unknown practice is mentioned
}

TEST_F(DecisionEngineTest, UnknownPracticeAndPostcodeIsNotRoutable) {
  CaseSummary c = DirectCase();
  c.practice_ods = "Z99999";
  for (const char* postcode : {"", "ZE1 0AA", "not a postcode"}) {
    c.postcode = postcode;
    RoutingDecision d = engine_->Decide(c);
    EXPECT_EQ(d.outcome, Outcome::kNotRoutable) << postcode;
    EXPECT_EQ(d.rule_id, "unknown-icb-not-routable") << postcode;
    EXPECT_TRUE(d.icb_code.empty());
  }
}

TEST_F(DecisionEngineTest, NonPilotIcbIsStoreOnly) {
  CaseSummary c = GpLedCase();
  c.practice_ods = "G82001";  // Kent and Medway
  RoutingDecision d = engine_->Decide(c);
  EXPECT_EQ(d.icb_code, "QKS");
  EXPECT_EQ(d.outcome, Outcome::kStoreOnly);
  EXPECT_EQ(d.rule_id, "non-pilot-store-only");
  EXPECT_EQ(d.service, nullptr);
}

TEST_F(DecisionEngineTest, DecisionIsDeterministic) {
  CaseSummary c = DirectCase();
  RoutingDecision a = engine_->Decide(c);
  RoutingDecision b = engine_->Decide(c);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.rule_id, b.rule_id);
  EXPECT_EQ(a.service, b.service);
}

TEST(DatesTest, ParseDateAndPostcodeDistrict) {
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());
  EXPECT_FALSE(ParseDate("2025-02-29").has_value());
  EXPECT_FALSE(ParseDate("2025-2-01").has_value());
  EXPECT_EQ(*ParseDate("2026-03-02") - *ParseDate("2026-02-27"), std::chrono::days{3});
  EXPECT_EQ(PostcodeDistrict("b15 2tt"), "B15");
  EXPECT_EQ(PostcodeDistrict("SW1A1AA"), "SW1A");
  EXPECT_EQ(PostcodeDistrict("M1 1AE"), "M1");
  EXPECT_EQ(PostcodeDistrict("M1"), "");
  EXPECT_EQ(PostcodeDistrict("12345"), "");
}

}  // namespace
}  // namespace workwell::routing

#include "adapter/stayinwork/plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "adapter/common/json/json.h"
#include "adapter/stayinwork/lifecycle.h"
#include "tests/unit/stayinwork/plan_fixture.h"

namespace workwell::stayinwork::testing {
namespace {

using StayInWorkPlanTest = LifecycleTest;

TEST_F(StayInWorkPlanTest, TheTestInputsAreValidPlansAndNotes) {
  ExpectValid(PlanJson({}), kPlanProfile);
  ExpectValid(PlanJson({.status = "active", .parties = {"patient", "workwell-service", "employer"}}), kPlanProfile);
  ExpectValid(PlanJson({.employment = "unemployed", .parties = {"patient"}}), kPlanProfile);
  ExpectValid(FitNoteJson({}), kFitNoteProfile);
  ExpectValid(FitNoteJson({.outcome = "may-be-fit", .options = {"phased-return"}}), kFitNoteProfile);
}

TEST_F(StayInWorkPlanTest, ReadsTheTypedView) {
  PlanSpec spec;
  spec.employment = "self-employed";
  spec.parties = {"workwell-service", "patient"};
  const Plan plan = MakePlan(spec);
  const PlanView& v = plan.view();
  EXPECT_EQ(v.id, spec.id);
  EXPECT_EQ(v.status, PlanStatus::kDraft);
  EXPECT_EQ(v.created, spec.created);
  EXPECT_EQ(v.period_start, spec.start);
  EXPECT_EQ(v.period_end, spec.end);
  EXPECT_EQ(v.subject, kPatient);
  EXPECT_EQ(v.care_team, "CareTeam/team-1");
  ASSERT_EQ(v.referrals.size(), 1u);
  EXPECT_EQ(v.referrals[0], "ServiceRequest/referral-1");
  EXPECT_EQ(v.employment_status, EmploymentStatus::kSelfEmployed);
  ASSERT_EQ(v.agreements.size(), 2u);
  EXPECT_EQ(v.agreements[0].party, Party::kWorkWellService);
  EXPECT_EQ(v.agreements[0].agreed_by, kCoach);
  EXPECT_EQ(v.agreements[0].extension_index, 2u);  // after the referral and the employment status
  EXPECT_EQ(v.agreements[1].party, Party::kPatient);
  EXPECT_EQ(v.agreements[1].method, "in-person");
  EXPECT_TRUE(v.AllRequiredAgreed());  // self-employed: patient and service
  EXPECT_FALSE(v.ssp_fallback);
  ASSERT_TRUE(v.phased_return);
  ASSERT_EQ(v.phased_return->steps.size(), spec.steps.size());
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    EXPECT_EQ(v.phased_return->steps[i].week, static_cast<uint32_t>(spec.steps[i].week));
    EXPECT_EQ(v.phased_return->steps[i].hours_per_week, spec.steps[i].hours);  // decimal text kept: "22.50"
  }
  EXPECT_EQ(v.phased_return->contracted_hours, spec.contracted);
  ASSERT_TRUE(v.amended_duties);
  ASSERT_EQ(v.amended_duties->changes.size(), 1u);
  EXPECT_EQ(v.amended_duties->changes[0].duty, "Loading delivery vans");
  EXPECT_EQ(v.amended_duties->changes[0].change, "removed");
  EXPECT_EQ(v.amended_duties->changes[0].until, "2026-12-31");
  ASSERT_EQ(v.adaptations.size(), 1u);
  ASSERT_EQ(v.reviews.size(), 1u);
  EXPECT_EQ(v.reviews[0].events, spec.reviews);
}

TEST_F(StayInWorkPlanTest, EmployerIsRequiredUnlessSelfEmployedOrUnemployed) {
  const auto has_employer = [](EmploymentStatus s) {
    const auto parties = RequiredParties(s);
    return std::find(parties.begin(), parties.end(), Party::kEmployer) != parties.end();
  };
  EXPECT_TRUE(has_employer(EmploymentStatus::kNotRecorded));
  EXPECT_TRUE(has_employer(EmploymentStatus::kEmployed));
  EXPECT_FALSE(has_employer(EmploymentStatus::kSelfEmployed));
  EXPECT_FALSE(has_employer(EmploymentStatus::kUnemployed));
  EXPECT_FALSE(MakePlan({.parties = {"patient", "workwell-service"}}).view().AllRequiredAgreed());
  EXPECT_TRUE(
      MakePlan({.employment = "unemployed", .parties = {"patient", "workwell-service"}}).view().AllRequiredAgreed());
}

TEST_F(StayInWorkPlanTest, RefusesWhatTheLifecycleCannotUse) {
  struct Case {
    std::string json;
    std::string expression;
  };
  std::string no_id = PlanJson({});
  no_id.replace(no_id.find(R"("id":"plan-1",)"), 14, "");
  std::string bad_status = PlanJson({});
  bad_status.replace(bad_status.find(R"("status":"draft")"), 16, R"("status":"paused")");
  const Case cases[] = {
      {R"({"resourceType":"Observation","id":"x"})", "CarePlan"},
      {"{not json", "CarePlan"},
      {no_id, "CarePlan.id"},
      {bad_status, "CarePlan.status"},
      {PlanJson({.start = "2026-11"}), "CarePlan.period.start"},
      {PlanJson({.parties = {"patient", "patient"}}), "CarePlan.extension[2]"},
      {PlanJson({.employment = "retired"}), "CarePlan.extension[1].value"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto plan = Plan::Parse(c.json);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.status().http_status(), 422);
    EXPECT_EQ(plan.status().issue().expression, c.expression);
  }
}

TEST_F(StayInWorkPlanTest, FitNoteViewReadsOutcomeOptionsAndPerformers) {
  const FitNote note = MakeNote({.outcome = "may-be-fit", .options = {"amended-duties", "phased-return"}});
  EXPECT_EQ(note.view().id, "note-1");
  EXPECT_EQ(note.view().outcome, "may-be-fit");
  EXPECT_EQ(note.view().adjustments, (std::vector<std::string>{"amended-duties", "phased-return"}));
  EXPECT_EQ(note.view().issuer, "PractitionerRole/issuer-1");
  EXPECT_EQ(note.view().issuing_organisation, kGpPractice);
  EXPECT_EQ(note.view().period_end, "2027-01-31");
  EXPECT_FALSE(FitNote::Parse(R"({"resourceType":"CarePlan","id":"x"})").ok());
}

// Business rules spanning resources (docs/PROFILES.md): each failure names its element.
TEST_F(StayInWorkPlanTest, SupportPeriodIsAtMostEightWeeksInWorkAndSixteenSeekingWork) {
  const Context ctx = At("2026-11-18T10:00:00+00:00");
  EXPECT_TRUE(CheckBusinessRules(MakePlan({.end = "2027-01-11"}).view(), ctx).empty());  // 56 days
  auto issues = CheckBusinessRules(MakePlan({.end = "2027-01-12"}).view(), ctx);
  ASSERT_EQ(issues.size(), 1u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CarePlan.period");
  issues = CheckBusinessRules(MakePlan({.end = "2027-01-12", .employment = "self-employed"}).view(), ctx);
  EXPECT_EQ(issues.size(), 1u) << "self-employed people are in work: 8 weeks";
  EXPECT_TRUE(CheckBusinessRules(MakePlan({.end = "2027-03-08", .employment = "unemployed"}).view(), ctx).empty());
  issues = CheckBusinessRules(MakePlan({.end = "2027-03-09", .employment = "unemployed"}).view(), ctx);
  ASSERT_EQ(issues.size(), 1u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CarePlan.period");
  Context longer = ctx;
  longer.policy.max_support_weeks_in_work = 9;
  EXPECT_TRUE(CheckBusinessRules(MakePlan({.end = "2027-01-12"}).view(), longer).empty());
  issues = CheckBusinessRules(MakePlan({.end = ""}).view(), ctx);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].expression, "CarePlan.period.end");
}

TEST_F(StayInWorkPlanTest, PhasedReturnHoursDoNotExceedContractedHours) {
  const Context ctx = At("2026-11-18T10:00:00+00:00");
  EXPECT_TRUE(CheckBusinessRules(MakePlan({.steps = {{1, "20"}, {2, "37.5"}}}).view(), ctx).empty());
  const auto issues = CheckBusinessRules(MakePlan({.steps = {{1, "20"}, {2, "37.6"}, {3, "40"}}}).view(), ctx);
  ASSERT_EQ(issues.size(), 2u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CarePlan.activity[0].detail.extension[1]");
  EXPECT_EQ(issues[1].expression, "CarePlan.activity[0].detail.extension[2]");
  EXPECT_NE(issues[0].text.find("37.6"), std::string::npos);
}

TEST_F(StayInWorkPlanTest, ReviewDatesFallInsideThePlanPeriod) {
  const Context ctx = At("2026-11-18T10:00:00+00:00");
  EXPECT_TRUE(
      CheckBusinessRules(MakePlan({.reviews = {"2026-11-16T09:00:00+00:00", "2027-01-11T17:00:00+00:00"}}).view(), ctx)
          .empty());
  const auto issues =
      CheckBusinessRules(MakePlan({.reviews = {"2026-11-15T09:00:00+00:00", "2026-12-01", "2027-01-12"}}).view(), ctx);
  ASSERT_EQ(issues.size(), 2u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CarePlan.activity[3].detail.scheduledTiming.event[0]");
  EXPECT_EQ(issues[1].expression, "CarePlan.activity[3].detail.scheduledTiming.event[2]");
}

TEST_F(StayInWorkPlanTest, EmployerContactNeedsThePatientsConsent) {
  Context ctx = At("2026-11-18T10:00:00+00:00");
  const Plan plan = MakePlan({.parties = {"patient", "employer"}});
  EXPECT_TRUE(CheckBusinessRules(plan.view(), ctx).empty());
  ctx.employer_contact_consent = false;
  const auto issues = CheckBusinessRules(plan.view(), ctx);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].expression, "CarePlan.extension[2]");
  EXPECT_TRUE(CheckBusinessRules(MakePlan({.parties = {"patient"}}).view(), ctx).empty());
}

TEST_F(StayInWorkPlanTest, FitNoteOptionsFollowThePlansActivities) {
  using V = std::vector<std::string>;
  EXPECT_EQ(FitNoteOptionsFor(MakePlan({}).view()),
            (V{"phased-return", "altered-hours", "amended-duties", "workplace-adaptations"}));
  // A phased return that never drops below the contracted hours alters no hours.
  EXPECT_EQ(FitNoteOptionsFor(MakePlan({.steps = {{1, "37.5"}, {2, "37.50"}}, .adaptation = false}).view()),
            (V{"phased-return", "amended-duties"}));
  // Without contracted hours, the highest week is the baseline.
  EXPECT_EQ(
      FitNoteOptionsFor(MakePlan({.steps = {{1, "20"}, {2, "30"}}, .contracted = "", .amended_duties = false}).view()),
      (V{"phased-return", "altered-hours", "workplace-adaptations"}));
  EXPECT_EQ(FitNoteOptionsFor(MakePlan({.steps = {}, .amended_duties = false, .adaptation = false}).view()), V{});
}

std::string CareTeamJson(bool employer, const std::string& subject = kPatient) {
  const std::string role = std::string(kCs) + "WorkWell-PlanParty";
  std::string j = R"({"resourceType":"CareTeam","id":"team-1","meta":{"profile":[")" + std::string(kSd) +
                  R"(WorkWell-StayInWorkCareTeam"]},"status":"active","subject":{"reference":")" + subject +
                  R"("},"participant":[{"role":[{"coding":[)" + Coding(role, "patient") +
                  R"(]}],"member":{"reference":")" + kPatient + R"("}},{"role":[{"coding":[)" +
                  Coding(role, "workwell-service") + R"(]}],"member":{"reference":")" + kCoach + R"("}})";
  if (employer) {
    j +=
        R"(,{"role":[{"coding":[)" + Coding(role, "employer") + R"(]}],"member":{"reference":")" + kEmployer + R"("}})";
  }
  return j + "]}";
}

TEST_F(StayInWorkPlanTest, TheCareTeamHasAnEmployerExactlyWhenThePlanNeedsOne) {
  const std::string profile = std::string(kSd) + "WorkWell-StayInWorkCareTeam";
  ExpectValid(CareTeamJson(true), profile);
  ExpectValid(CareTeamJson(false), profile);
  EXPECT_TRUE(CheckCareTeam(MakePlan({}).view(), CareTeamJson(true)).empty());
  EXPECT_TRUE(CheckCareTeam(MakePlan({.employment = "unemployed"}).view(), CareTeamJson(false)).empty());
  auto issues = CheckCareTeam(MakePlan({.employment = "employed"}).view(), CareTeamJson(false));
  ASSERT_EQ(issues.size(), 1u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CareTeam.participant");
  issues = CheckCareTeam(MakePlan({.employment = "self-employed"}).view(), CareTeamJson(true));
  ASSERT_EQ(issues.size(), 1u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CareTeam.participant[2]");
  issues = CheckCareTeam(MakePlan({}).view(), CareTeamJson(true, "Patient/someone-else"));
  ASSERT_EQ(issues.size(), 1u) << Dump(issues);
  EXPECT_EQ(issues[0].expression, "CareTeam.subject");
  issues = CheckCareTeam(MakePlan({}).view(), R"({"resourceType":"Patient"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].expression, "CareTeam");
}

}  // namespace
}  // namespace workwell::stayinwork::testing

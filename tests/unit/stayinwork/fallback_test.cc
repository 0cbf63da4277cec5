#include "adapter/stayinwork/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "adapter/common/json/json.h"
#include "tests/unit/stayinwork/plan_fixture.h"

namespace workwell::stayinwork::testing {
namespace {

using StayInWorkSspFallbackTest = LifecycleTest;

constexpr char kRefusalTime[] = "2026-11-25T11:00:00+00:00";

json::Document ParseJson(const std::string& text) {
  json::Document doc;
  json::ParseError error;
  WW_CHECK(json::Parse(text, json::Limits{}, doc, error));
  return doc;
}

// The checks every SSP fallback must pass, whatever triggered it.
void ExpectCompleteFallback(const Transition& t, const FitNote& original, const std::string& now,
                            const std::string& reason_fragment) {
  // (a) a new "not fit for work" note replacing the original.
  ASSERT_TRUE(t.fit_note);
  auto note = FitNote::Parse(*t.fit_note);
  ASSERT_TRUE(note.ok());
  const FitNoteView& n = note->view();
  EXPECT_EQ(n.id, "note-2");
  EXPECT_EQ(n.outcome, "not-fit");
  EXPECT_TRUE(n.adjustments.empty());
  EXPECT_EQ(n.period_start, now.substr(0, 10));
  EXPECT_EQ(n.period_end, original.view().period_end);
  EXPECT_EQ(n.subject, original.view().subject);
  EXPECT_EQ(n.issuer, original.view().issuer);
  EXPECT_EQ(n.issuing_organisation, original.view().issuing_organisation);
  const json::Document doc = ParseJson(*t.fit_note);
  EXPECT_EQ(json::Write(doc.root().Find("extension")->items()[0]),
            json::Write(original.root().Find("extension")->items()[0]))
      << "same condition";
  EXPECT_NE(t.fit_note->find(R"("valueReference":{"reference":"Observation/)" + original.view().id + "\"}"),
            std::string::npos);
  EXPECT_NE(t.fit_note->find(R"("code":"ssp-fallback")"), std::string::npos);
  // (b) the plan records the fallback and is revoked.
  const PlanView& v = t.plan.view();
  EXPECT_EQ(v.status, PlanStatus::kRevoked);
  ASSERT_TRUE(v.ssp_fallback);
  EXPECT_EQ(v.ssp_fallback->outcome, "not-fit-certified");
  EXPECT_EQ(v.ssp_fallback->date_time, now);
  EXPECT_EQ(v.ssp_fallback->fit_note, "Observation/note-2");
  EXPECT_NE(v.ssp_fallback->reason.find(reason_fragment), std::string::npos) << v.ssp_fallback->reason;
  std::vector<std::string> notified = v.ssp_fallback->notified;
  std::sort(notified.begin(), notified.end());
  EXPECT_EQ(notified, (std::vector<std::string>{"gp", "patient", "workwell-service"}));
  // (c) one notification for each of the three, naming the plan and the new note.
  ASSERT_EQ(t.notifications.size(), 3u);
  std::vector<std::string> told;
  for (const Notification& x : t.notifications) {
    told.emplace_back(NotifiedPartyCode(x.recipient));
    EXPECT_FALSE(x.recipient_reference.empty());
    EXPECT_EQ(x.event, "ssp-fallback");
    EXPECT_EQ(x.plan, "CarePlan/" + v.id);
    EXPECT_EQ(x.fit_note, "Observation/note-2");
    EXPECT_EQ(x.key, v.id + "/ssp-fallback/" + told.back());
    const json::Document payload = ParseJson(NotificationJson(x));
    EXPECT_EQ(payload.root().Find("recipientReference")->text(), x.recipient_reference);
  }
  std::sort(told.begin(), told.end());
  EXPECT_EQ(told, notified) << "the plan says who was told, and exactly those are told";
}

TEST_F(StayInWorkSspFallbackTest, EmployerCannotAdjustAnActivePlan) {
  const FitNote original = MakeNote({.outcome = "may-be-fit", .options = {"phased-return"}});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  const Plan plan = MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}});
  auto out = RecordEmployerCannotAdjust(plan, {"No reduced hours on the production line"}, ctx);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  ExpectAllValid(*out);
  ExpectCompleteFallback(*out, original, kRefusalTime, "production line");
  const auto by = [&](Recipient r) {
    return std::find_if(out->notifications.begin(), out->notifications.end(),
                        [r](const Notification& n) { return n.recipient == r; })->recipient_reference;
  };
  EXPECT_EQ(by(Recipient::kGpSystem), kGpPractice);
  EXPECT_EQ(by(Recipient::kWorkWellService), kCoach);
  EXPECT_EQ(by(Recipient::kPatient), kPatient);
}

TEST_F(StayInWorkSspFallbackTest, EmployerCannotAdjustADraftOrOnHoldPlan) {
  const FitNote original = MakeNote({});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  for (const char* status : {"draft", "on-hold"}) {
    auto out = RecordEmployerCannotAdjust(MakePlan({.status = status, .parties = {"patient", "workwell-service"}}),
                                          {"Cannot remove lifting duties"}, ctx);
    ASSERT_TRUE(out.ok()) << status << out.status().ToOperationOutcome();
    ExpectAllValid(*out);
    ExpectCompleteFallback(*out, original, kRefusalTime, "lifting");
  }
}

TEST_F(StayInWorkSspFallbackTest, CallerGivenRecipientsAreUsed) {
  const FitNote original = MakeNote({});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  ctx.gp_practice = "Organization/registered-practice";
  ctx.workwell_service = "HealthcareService/workwell-north";
  auto out = RecordEmployerCannotAdjust(
      MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}}), {"No"}, ctx);
  ASSERT_TRUE(out.ok());
  for (const Notification& n : out->notifications) {
    if (n.recipient == Recipient::kGpSystem) {
      EXPECT_EQ(n.recipient_reference, ctx.gp_practice);
    }
    if (n.recipient == Recipient::kWorkWellService) {
      EXPECT_EQ(n.recipient_reference, ctx.workwell_service);
    }
  }
}

// The path must never be silent: with no way to reach the WorkWell service, nothing is produced.
TEST_F(StayInWorkSspFallbackTest, RefusedWhenARecipientCannotBeReached) {
  const FitNote original = MakeNote({});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  const Plan plan = MakePlan({.parties = {"patient"}});  // the service has not agreed: no reference to it
  auto out = RecordEmployerCannotAdjust(plan, {"No"}, ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().http_status(), 422);
  EXPECT_EQ(out.status().issue().code, "required");
  EXPECT_NE(out.status().issue().text.find("WorkWell service"), std::string::npos);
  ctx.workwell_service = kCoach;
  EXPECT_TRUE(RecordEmployerCannotAdjust(plan, {"No"}, ctx).ok());
}

TEST_F(StayInWorkSspFallbackTest, RefusedWithoutAUsableFitNote) {
  const Plan plan = MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}});
  auto out = RecordEmployerCannotAdjust(plan, {"No"}, At(kRefusalTime));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().issue().expression, "Observation");
  const FitNote ended = MakeNote({.end = "2026-11-24"});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &ended;
  out = RecordEmployerCannotAdjust(plan, {"No"}, ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().issue().expression, "Observation.effectivePeriod.end");
  const FitNote ends_today = MakeNote({.end = "2026-11-25"});
  ctx.fit_note = &ends_today;
  out = RecordEmployerCannotAdjust(plan, {"No"}, ctx);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  ExpectAllValid(*out);
  ctx.new_fit_note_id.clear();
  EXPECT_EQ(RecordEmployerCannotAdjust(plan, {"No"}, ctx).status().issue().expression, "Observation.id");
}

TEST_F(StayInWorkSspFallbackTest, OnlyOnceAndNeverOnAClosedPlan) {
  const FitNote original = MakeNote({});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  auto first = RecordEmployerCannotAdjust(
      MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}}), {"No"}, ctx);
  ASSERT_TRUE(first.ok());
  auto second = RecordEmployerCannotAdjust(first->plan, {"No"}, ctx);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().http_status(), 409);
  EXPECT_FALSE(RecordAgreement(first->plan, {Party::kPatient, kPatient, kRefusalTime, "in-person"}, ctx).ok());
}

TEST_F(StayInWorkSspFallbackTest, NoFallbackWithoutAnEmployer) {
  const FitNote original = MakeNote({});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  for (const char* status : {"unemployed", "self-employed"}) {
    const Plan plan = MakePlan({.status = "active", .employment = status, .parties = {"patient", "workwell-service"}});
    auto out = RecordEmployerCannotAdjust(plan, {"No"}, ctx);
    ASSERT_FALSE(out.ok()) << status;
    EXPECT_EQ(out.status().http_status(), 422);
    EXPECT_EQ(out.status().issue().expression, "CarePlan.extension:employmentStatus");
    EXPECT_FALSE(ApplyEmployerDeadline(plan, ctx).ok());
  }
}

// Proposed (CarePlan.created) on 16 November with a 14-day deadline: the employer may agree up to
// and including 30 November; the fallback applies from 1 December.
TEST_F(StayInWorkSspFallbackTest, EmployerDeadlineDayBeforeOnAndAfter) {
  const FitNote original = MakeNote({});
  const Plan plan = MakePlan({.created = "2026-11-16T09:00:00+00:00", .parties = {"patient", "workwell-service"}});
  auto at = [&](const std::string& now) {
    Context ctx = At(now);
    ctx.fit_note = &original;
    ctx.policy.employer_deadline_days = 14;
    return ctx;
  };
  for (const char* before : {"2026-11-29T09:00:00+00:00", "2026-11-30T23:59:59+00:00"}) {
    SCOPED_TRACE(before);
    const Context ctx = at(before);
    auto out = ApplyEmployerDeadline(plan, ctx);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().http_status(), 409);
    EXPECT_EQ(out.status().issue().expression, "CarePlan.created");
    EXPECT_NE(out.status().issue().text.find("2026-11-30"), std::string::npos);
    EXPECT_EQ(DueToday(plan.view(), ctx), DueEvent::kNone);
  }
  const Context after = at("2026-12-01T00:00:00+00:00");
  EXPECT_EQ(DueToday(plan.view(), after), DueEvent::kEmployerDeadlinePassed);
  auto out = ApplyEmployerDeadline(plan, after);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  ExpectAllValid(*out);
  ExpectCompleteFallback(*out, original, after.now, "did not agree the plan by 2026-11-30");
  // A different configured deadline moves the day.
  Context longer = at("2026-12-01T00:00:00+00:00");
  longer.policy.employer_deadline_days = 15;
  EXPECT_FALSE(ApplyEmployerDeadline(plan, longer).ok());
  EXPECT_EQ(DueToday(plan.view(), longer), DueEvent::kNone);
}

// A draft whose employer never answered and whose period has also ended falls back first: the
// scheduler must not merely revoke it.
TEST_F(StayInWorkSspFallbackTest, TheDeadlineIsDueBeforeThePeriodEnd) {
  const Plan plan = MakePlan({.parties = {"patient", "workwell-service"}});
  EXPECT_EQ(DueToday(plan.view(), At("2027-02-01T09:00:00+00:00")), DueEvent::kEmployerDeadlinePassed);
  const Plan agreed = MakePlan({.parties = {"patient", "workwell-service", "employer"}});
  EXPECT_EQ(DueToday(agreed.view(), At("2027-02-01T09:00:00+00:00")), DueEvent::kPeriodEnded);
  const Plan unemployed = MakePlan({.employment = "unemployed", .parties = {"patient"}});
  EXPECT_EQ(DueToday(unemployed.view(), At("2026-12-20T09:00:00+00:00")), DueEvent::kNone);
  EXPECT_EQ(DueToday(MakePlan({.status = "revoked"}).view(), At("2027-02-01T09:00:00+00:00")), DueEvent::kNone);
}

TEST_F(StayInWorkSspFallbackTest, DeadlineDoesNotApplyOnceTheEmployerAgreedOrWithoutAProposalDate) {
  const FitNote original = MakeNote({});
  Context ctx = At("2027-01-01T09:00:00+00:00");
  ctx.fit_note = &original;
  auto agreed = ApplyEmployerDeadline(MakePlan({.parties = {"workwell-service", "employer"}}), ctx);
  ASSERT_FALSE(agreed.ok());
  EXPECT_EQ(agreed.status().http_status(), 409);
  EXPECT_EQ(agreed.status().issue().expression, "CarePlan.extension[2]");
  auto undated = ApplyEmployerDeadline(MakePlan({.created = "", .parties = {"workwell-service"}}), ctx);
  ASSERT_FALSE(undated.ok());
  EXPECT_EQ(undated.status().http_status(), 422);
  EXPECT_EQ(undated.status().issue().expression, "CarePlan.created");
  auto active = ApplyEmployerDeadline(
      MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}}), ctx);
  EXPECT_FALSE(active.ok());
}

// The whole journey: proposed, agreed by all three (the note becomes "may be fit"), then the
// employer cannot keep to it (the "may be fit" note is replaced by "not fit").
TEST_F(StayInWorkSspFallbackTest, FromProposalToFallbackEveryResourceIsValid) {
  const FitNote first_note = MakeNote({});
  Context ctx = At("2026-11-17T09:00:00+00:00");
  ctx.fit_note = &first_note;
  Plan plan = MakePlan({});
  std::optional<std::string> agreed_note;
  for (Party p : {Party::kPatient, Party::kWorkWellService, Party::kEmployer}) {
    auto out = RecordAgreement(plan, {p, p == Party::kPatient ? kPatient : p == Party::kEmployer ? kEmployer : kCoach,
                                      "2026-11-17T08:00:00+00:00", "video"},
                               ctx);
    ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
    ExpectAllValid(*out);
    if (out->fit_note) agreed_note = out->fit_note;
    plan = std::move(out->plan);
  }
  ASSERT_EQ(plan.view().status, PlanStatus::kActive);
  ASSERT_TRUE(agreed_note);
  auto in_force = FitNote::Parse(*agreed_note);
  ASSERT_TRUE(in_force.ok());
  EXPECT_EQ(in_force->view().outcome, "may-be-fit");
  Context later = At("2026-12-02T16:00:00+00:00");
  later.fit_note = &*in_force;
  later.new_fit_note_id = "note-3";
  auto out = RecordEmployerCannotAdjust(plan, {"The depot closed the light-duties desk"}, later);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  ExpectAllValid(*out);
  EXPECT_EQ(out->plan.view().status, PlanStatus::kRevoked);
  EXPECT_EQ(out->plan.view().ssp_fallback->fit_note, "Observation/note-3");
  EXPECT_NE(out->fit_note->find(R"({"reference":"Observation/note-2"})"), std::string::npos) << *out->fit_note;
  EXPECT_EQ(out->plan.view().agreements.size(), 3u);
}

TEST_F(StayInWorkSspFallbackTest, TheFallbackKeepsEveryOtherPlanElement) {
  const FitNote original = MakeNote({});
  Context ctx = At(kRefusalTime);
  ctx.fit_note = &original;
  const Plan plan = MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}});
  auto out = RecordEmployerCannotAdjust(plan, {"No"}, ctx);
  ASSERT_TRUE(out.ok());
  const json::Document a = ParseJson(plan.ToJson());
  const json::Document b = ParseJson(out->plan.ToJson());
  ASSERT_EQ(a.root().size(), b.root().size());
  for (size_t i = 0; i < a.root().size(); ++i) {
    const json::Member& m = a.root().members()[i];
    EXPECT_EQ(b.root().members()[i].key, m.key);
    if (m.key == "status") continue;
    if (m.key == "extension") {  // the earlier extensions are untouched; one is added
      const auto before = m.value.items();
      const auto after = b.root().members()[i].value.items();
      ASSERT_EQ(after.size(), before.size() + 1);
      for (size_t k = 0; k < before.size(); ++k) EXPECT_EQ(json::Write(after[k]), json::Write(before[k]));
      continue;
    }
    EXPECT_EQ(json::Write(b.root().members()[i].value), json::Write(m.value)) << m.key;
  }
  EXPECT_NE(out->plan.ToJson().find(R"("valueDecimal":22.50)"), std::string::npos) << "decimal text kept";
}

}  // namespace
}  // namespace workwell::stayinwork::testing

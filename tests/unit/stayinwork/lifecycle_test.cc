#include "adapter/stayinwork/lifecycle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "adapter/common/json/json.h"
#include "tests/unit/stayinwork/plan_fixture.h"

namespace workwell::stayinwork::testing {
namespace {

constexpr char kNow[] = "2026-11-18T10:00:00+00:00";

AgreementEvent AgreementBy(Party party) {
  AgreementEvent e;
  e.party = party;
  e.agreed_by = party == Party::kPatient ? kPatient : party == Party::kEmployer ? kEmployer : kCoach;
  e.date_time = "2026-11-17T14:30:00+00:00";
  e.method = party == Party::kEmployer ? "telephone" : "in-person";
  return e;
}

json::Document ParseJson(const std::string& text) {
  json::Document doc;
  json::ParseError error;
  WW_CHECK(json::Parse(text, json::Limits{}, doc, error));
  return doc;
}

// Every top-level member not in `changed` writes exactly as it was read.
void ExpectUnchangedExcept(const std::string& before, const std::string& after, std::vector<std::string> changed) {
  const json::Document a = ParseJson(before);
  const json::Document b = ParseJson(after);
  for (const json::Member& m : a.root().members()) {
    if (std::find(changed.begin(), changed.end(), m.key) != changed.end()) continue;
    const json::Value* now = b.root().Find(m.key);
    ASSERT_NE(now, nullptr) << m.key;
    EXPECT_EQ(json::Write(*now), json::Write(m.value)) << m.key;
  }
  std::vector<std::string_view> keys_a, keys_b;
  for (const json::Member& m : a.root().members()) keys_a.push_back(m.key);
  for (const json::Member& m : b.root().members()) keys_b.push_back(m.key);
  for (const std::string& c : changed) {  // members added by the transition are allowed
    if (a.root().Find(c) == nullptr) keys_b.erase(std::remove(keys_b.begin(), keys_b.end(), c), keys_b.end());
  }
  EXPECT_EQ(keys_a, keys_b) << "member order";
}

using StayInWorkAgreementTest = LifecycleTest;

TEST_F(StayInWorkAgreementTest, EachPartysAgreementIsRecordedWithWhoWhenAndHow) {
  const Plan plan = MakePlan({});
  for (Party party : {Party::kPatient, Party::kWorkWellService, Party::kEmployer}) {
    SCOPED_TRACE(std::string(PartyCode(party)));
    const AgreementEvent event = AgreementBy(party);
    auto out = RecordAgreement(plan, event, At(kNow));
    ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
    const PlanView& v = out->plan.view();
    EXPECT_EQ(v.status, PlanStatus::kDraft);
    ASSERT_EQ(v.agreements.size(), 1u);
    EXPECT_EQ(v.agreements[0].party, party);
    EXPECT_EQ(v.agreements[0].agreed_by, event.agreed_by);
    EXPECT_EQ(v.agreements[0].date_time, event.date_time);
    EXPECT_EQ(v.agreements[0].method, event.method);
    EXPECT_FALSE(out->fit_note);
    EXPECT_TRUE(out->notifications.empty());
    ExpectAllValid(*out);
    ExpectUnchangedExcept(plan.ToJson(), out->plan.ToJson(), {"extension"});
  }
}

// The plan becomes active on the third agreement, whatever the order; never before.
class StayInWorkAgreementOrderTest : public LifecycleTest,
                                     public ::testing::WithParamInterface<std::array<Party, 3>> {};

TEST_P(StayInWorkAgreementOrderTest, ActiveOnlyWhenAllThreeHaveAgreed) {
  const FitNote note = MakeNote({});
  Context ctx = At(kNow);
  ctx.fit_note = &note;
  Plan plan = MakePlan({});
  const auto order = GetParam();
  for (size_t i = 0; i < order.size(); ++i) {
    auto out = RecordAgreement(plan, AgreementBy(order[i]), ctx);
    ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
    ExpectAllValid(*out);
    const bool last = i + 1 == order.size();
    EXPECT_EQ(out->plan.view().status, last ? PlanStatus::kActive : PlanStatus::kDraft) << i;
    EXPECT_EQ(out->fit_note.has_value(), last);
    EXPECT_EQ(out->notifications.size(), last ? 2u : 0u);
    plan = std::move(out->plan);
  }
  EXPECT_EQ(plan.view().agreements.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(AllOrders, StayInWorkAgreementOrderTest, ::testing::ValuesIn([] {
  std::array<Party, 3> p = {Party::kEmployer, Party::kPatient, Party::kWorkWellService};
  std::sort(p.begin(), p.end());
  std::vector<std::array<Party, 3>> all;
  do all.push_back(p);
  while (std::next_permutation(p.begin(), p.end()));
  return all;
}()));

TEST_F(StayInWorkAgreementTest, ADuplicateAgreementIsRefusedNamingTheFirst) {
  const Plan plan = MakePlan({.parties = {"patient", "workwell-service"}});
  auto out = RecordAgreement(plan, AgreementBy(Party::kWorkWellService), At(kNow));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().http_status(), 409);
  EXPECT_EQ(out.status().issue().code, "duplicate");
  EXPECT_EQ(out.status().issue().expression, "CarePlan.extension[2]");
  EXPECT_NE(out.status().ToOperationOutcome().find("CarePlan.extension[2]"), std::string::npos);
}

TEST_F(StayInWorkAgreementTest, ClosedPlansTakeNoAgreement) {
  for (const char* status : {"completed", "revoked", "entered-in-error"}) {
    auto out = RecordAgreement(MakePlan({.status = status}), AgreementBy(Party::kPatient), At(kNow));
    ASSERT_FALSE(out.ok()) << status;
    EXPECT_EQ(out.status().http_status(), 409);
    EXPECT_EQ(out.status().issue().expression, "CarePlan.status");
  }
}

TEST_F(StayInWorkAgreementTest, BadEventsAreUnprocessable) {
  const Plan plan = MakePlan({});
  struct Case {
    AgreementEvent event;
    std::string expression;
  };
  AgreementEvent wrong_agreer = AgreementBy(Party::kPatient);
  wrong_agreer.agreed_by = kEmployer;
  AgreementEvent no_time = AgreementBy(Party::kPatient);
  no_time.date_time = "soon";
  AgreementEvent no_offset = AgreementBy(Party::kPatient);
  no_offset.date_time = "2026-11-17T14:30:00";
  AgreementEvent bad_method = AgreementBy(Party::kPatient);
  bad_method.method = "carrier-pigeon";
  for (const Case& c : {Case{wrong_agreer, "CarePlan.extension:agreement.extension:agreedBy"},
                        Case{no_time, "CarePlan.extension:agreement.extension:dateTime"},
                        Case{no_offset, "CarePlan.extension:agreement.extension:dateTime"},
                        Case{bad_method, "CarePlan.extension:agreement.extension:method"}}) {
    auto out = RecordAgreement(plan, c.event, At(kNow));
    ASSERT_FALSE(out.ok()) << c.expression;
    EXPECT_EQ(out.status().http_status(), 422);
    EXPECT_EQ(out.status().issue().expression, c.expression);
  }
  AgreementEvent date_only = AgreementBy(Party::kPatient);
  date_only.date_time = "2026-11-17";
  auto dated = RecordAgreement(plan, date_only, At(kNow));
  ASSERT_TRUE(dated.ok()) << dated.status().ToOperationOutcome();
  ExpectAllValid(*dated);
  Context bad_clock = At("2026-11-18");
  EXPECT_EQ(RecordAgreement(plan, AgreementBy(Party::kPatient), bad_clock).status().http_status(), 422);
}

TEST_F(StayInWorkAgreementTest, EmployerAgreementNeedsConsentToContactTheEmployer) {
  Context ctx = At(kNow);
  ctx.employer_contact_consent = false;
  auto out = RecordAgreement(MakePlan({}), AgreementBy(Party::kEmployer), ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().http_status(), 422);
  EXPECT_NE(out.status().issue().text.find("consent"), std::string::npos);
  ctx.employer_contact_consent = true;
  EXPECT_TRUE(RecordAgreement(MakePlan({}), AgreementBy(Party::kEmployer), ctx).ok());
}

TEST_F(StayInWorkAgreementTest, ActivationIsRefusedWhileABusinessRuleFails) {
  const FitNote note = MakeNote({});
  Context ctx = At(kNow);
  ctx.fit_note = &note;
  const Plan plan = MakePlan({.end = "2027-02-01", .parties = {"patient", "employer"},
                              .reviews = {"2027-02-02T10:00:00+00:00"}});
  auto out = RecordAgreement(plan, AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().http_status(), 422);
  ASSERT_EQ(out.status().issues().size(), 2u) << out.status().ToOperationOutcome();
  EXPECT_EQ(out.status().issues()[0].expression, "CarePlan.period");
  EXPECT_EQ(out.status().issues()[1].expression, "CarePlan.activity[3].detail.scheduledTiming.event[0]");
}

TEST_F(StayInWorkAgreementTest, ActivationNeedsTheFitNoteInForceForTheSamePatient) {
  const Plan plan = MakePlan({.parties = {"patient", "employer"}});
  auto out = RecordAgreement(plan, AgreementBy(Party::kWorkWellService), At(kNow));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().issue().expression, "Observation");
  const FitNote other = MakeNote({.subject = "Patient/someone-else"});
  Context ctx = At(kNow);
  ctx.fit_note = &other;
  out = RecordAgreement(plan, AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().issue().expression, "Observation.subject");
}

// On activation the fit note says "may be fit" with the plan's options, as a replacement note.
TEST_F(StayInWorkAgreementTest, ActivationRecordsAMayBeFitNoteWithThePlansOptions) {
  const std::string original_json = FitNoteJson({});
  auto original = FitNote::Parse(original_json);
  ASSERT_TRUE(original.ok());
  Context ctx = At(kNow);
  ctx.fit_note = &*original;
  const Plan plan =
      MakePlan({.parties = {"patient", "employer"}, .steps = {{1, "20"}, {2, "30"}}, .adaptation = false});
  auto out = RecordAgreement(plan, AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  ExpectAllValid(*out);
  ASSERT_TRUE(out->fit_note);
  auto note = FitNote::Parse(*out->fit_note);
  ASSERT_TRUE(note.ok());
  const FitNoteView& n = note->view();
  EXPECT_EQ(n.id, ctx.new_fit_note_id);
  EXPECT_EQ(n.outcome, "may-be-fit");
  EXPECT_EQ(n.adjustments, FitNoteOptionsFor(plan.view()));
  EXPECT_EQ(n.adjustments, (std::vector<std::string>{"phased-return", "altered-hours", "amended-duties"}));
  EXPECT_EQ(n.period_start, "2026-11-18");
  EXPECT_EQ(n.issue_date, "2026-11-18");
  EXPECT_EQ(n.period_end, original->view().period_end);
  EXPECT_EQ(n.assessment_date, original->view().assessment_date);
  EXPECT_EQ(n.subject, original->view().subject);
  EXPECT_EQ(n.issuer, original->view().issuer);
  EXPECT_EQ(n.issuing_organisation, original->view().issuing_organisation);
  const json::Document doc = ParseJson(*out->fit_note);
  const json::Document orig = ParseJson(original_json);
  EXPECT_EQ(json::Write(*doc.root().Find("performer")), json::Write(*orig.root().Find("performer")));
  EXPECT_EQ(json::Write(doc.root().Find("extension")->items()[0]),
            json::Write(orig.root().Find("extension")->items()[0]))
      << "same condition";
  EXPECT_NE(
      out->fit_note->find(
          R"({"url":"http://hl7.org/fhir/StructureDefinition/observation-replaces","valueReference":{"reference":"Observation/note-1"}})"),
      std::string::npos);
  EXPECT_NE(out->fit_note->find(R"("code":"plan-agreed")"), std::string::npos);
  // The plan is active, points at the new note, and the GP system and the patient are told.
  EXPECT_EQ(out->plan.view().status, PlanStatus::kActive);
  EXPECT_NE(out->plan.ToJson().find(R"({"reference":"Observation/note-2"})"), std::string::npos);
  ASSERT_EQ(out->notifications.size(), 2u);
  EXPECT_EQ(out->notifications[0].recipient, Recipient::kGpSystem);
  EXPECT_EQ(out->notifications[0].recipient_reference, kGpPractice);
  EXPECT_EQ(out->notifications[1].recipient, Recipient::kPatient);
  EXPECT_EQ(out->notifications[1].recipient_reference, kPatient);
  for (const Notification& x : out->notifications) {
    EXPECT_EQ(x.event, "plan-agreed");
    EXPECT_EQ(x.fit_note, "Observation/note-2");
    EXPECT_EQ(x.plan, "CarePlan/plan-1");
  }
  ExpectUnchangedExcept(plan.ToJson(), out->plan.ToJson(), {"extension", "status", "supportingInfo"});
}

// A plan without supportingInfo gets one, in its R4 place (after addresses, before activity).
TEST_F(StayInWorkAgreementTest, ActivationAddsSupportingInfoWhereR4PutsIt) {
  const FitNote note = MakeNote({});
  Context ctx = At(kNow);
  ctx.fit_note = &note;
  const Plan plan = MakePlan({.parties = {"patient", "employer"}, .supporting_info = false});
  ASSERT_EQ(plan.root().Find("supportingInfo"), nullptr);
  auto out = RecordAgreement(plan, AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  ExpectAllValid(*out);
  std::vector<std::string_view> keys;
  for (const json::Member& m : out->plan.root().members()) keys.push_back(m.key);
  const auto at = std::find(keys.begin(), keys.end(), "supportingInfo");
  ASSERT_NE(at, keys.end());
  EXPECT_EQ(*(at - 1), "addresses");
  EXPECT_EQ(*(at + 1), "activity");
  EXPECT_EQ(json::Write(*out->plan.root().Find("supportingInfo")), R"([{"reference":"Observation/note-2"}])");
  ExpectUnchangedExcept(plan.ToJson(), out->plan.ToJson(), {"extension", "status", "supportingInfo"});
}

TEST_F(StayInWorkAgreementTest, NoNewNoteWhenTheNoteInForceAlreadyMatchesThePlan) {
  const FitNote note =
      MakeNote({.outcome = "may-be-fit",
                .options = {"workplace-adaptations", "amended-duties", "altered-hours", "phased-return"}});
  Context ctx = At(kNow);
  ctx.fit_note = &note;
  auto out = RecordAgreement(MakePlan({.parties = {"patient", "employer"}}), AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_TRUE(out.ok()) << out.status().ToOperationOutcome();
  EXPECT_EQ(out->plan.view().status, PlanStatus::kActive);
  EXPECT_FALSE(out->fit_note);
  ASSERT_EQ(out->notifications.size(), 2u);
  EXPECT_TRUE(out->notifications[0].fit_note.empty());
  ExpectAllValid(*out);
  // A note that says "may be fit" with other options is replaced.
  const FitNote partial = MakeNote({.outcome = "may-be-fit", .options = {"phased-return"}});
  ctx.fit_note = &partial;
  out = RecordAgreement(MakePlan({.parties = {"patient", "employer"}}), AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->fit_note);
}

TEST_F(StayInWorkAgreementTest, UnemployedAndSelfEmployedPlansNeedNoEmployer) {
  const FitNote note = MakeNote({});
  Context ctx = At(kNow);
  ctx.fit_note = &note;
  ctx.employer_contact_consent = false;  // no employer to contact
  for (const char* status : {"unemployed", "self-employed"}) {
    SCOPED_TRACE(status);
    auto first = RecordAgreement(MakePlan({.employment = status}), AgreementBy(Party::kWorkWellService), ctx);
    ASSERT_TRUE(first.ok()) << first.status().ToOperationOutcome();
    EXPECT_EQ(first->plan.view().status, PlanStatus::kDraft);
    ExpectAllValid(*first);
    auto second = RecordAgreement(first->plan, AgreementBy(Party::kPatient), ctx);
    ASSERT_TRUE(second.ok()) << second.status().ToOperationOutcome();
    EXPECT_EQ(second->plan.view().status, PlanStatus::kActive);
    ASSERT_TRUE(second->fit_note);
    ExpectAllValid(*second);
    auto employer = RecordAgreement(MakePlan({.employment = status}), AgreementBy(Party::kEmployer), At(kNow));
    ASSERT_FALSE(employer.ok());
    EXPECT_EQ(employer.status().http_status(), 422);
    EXPECT_EQ(employer.status().issue().expression, "CarePlan.extension:employmentStatus");
  }
  // 16 weeks of support for a person seeking work, 8 for a self-employed person.
  auto seeking = RecordAgreement(MakePlan({.end = "2027-03-08", .employment = "unemployed", .parties = {"patient"}}),
                                 AgreementBy(Party::kWorkWellService), ctx);
  EXPECT_TRUE(seeking.ok()) << seeking.status().ToOperationOutcome();
  auto self = RecordAgreement(MakePlan({.end = "2027-03-08", .employment = "self-employed", .parties = {"patient"}}),
                              AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.status().issue().expression, "CarePlan.period");
}

using StayInWorkWithdrawalTest = LifecycleTest;

TEST_F(StayInWorkWithdrawalTest, WithdrawalPutsAnActivePlanOnHoldUntilThePartyAgreesAgain) {
  const FitNote note = MakeNote({});
  Context ctx = At(kNow);
  ctx.fit_note = &note;
  auto active =
      RecordAgreement(MakePlan({.parties = {"patient", "employer"}}), AgreementBy(Party::kWorkWellService), ctx);
  ASSERT_TRUE(active.ok());
  for (Party party : {Party::kPatient, Party::kWorkWellService, Party::kEmployer}) {
    SCOPED_TRACE(std::string(PartyCode(party)));
    auto held = WithdrawAgreement(active->plan, party, At(kNow));
    ASSERT_TRUE(held.ok()) << held.status().ToOperationOutcome();
    EXPECT_EQ(held->plan.view().status, PlanStatus::kOnHold);
    EXPECT_EQ(held->plan.view().AgreementOf(party), nullptr);
    EXPECT_EQ(held->plan.view().agreements.size(), 2u);
    ExpectAllValid(*held);
    ExpectUnchangedExcept(active->plan.ToJson(), held->plan.ToJson(), {"extension", "status"});
    // Agreeing again resumes the plan; the note in force (the one recorded on activation) already fits.
    auto resumed_note = FitNote::Parse(*active->fit_note);
    ASSERT_TRUE(resumed_note.ok());
    Context again = At("2026-11-25T10:00:00+00:00");
    again.fit_note = &*resumed_note;
    auto resumed = RecordAgreement(held->plan, AgreementBy(party), again);
    ASSERT_TRUE(resumed.ok()) << resumed.status().ToOperationOutcome();
    EXPECT_EQ(resumed->plan.view().status, PlanStatus::kActive);
    EXPECT_FALSE(resumed->fit_note);
    ExpectAllValid(*resumed);
  }
}

TEST_F(StayInWorkWithdrawalTest, WithdrawalFromADraftKeepsItDraft) {
  auto out = WithdrawAgreement(MakePlan({.parties = {"patient", "workwell-service"}}), Party::kPatient, At(kNow));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->plan.view().status, PlanStatus::kDraft);
  ASSERT_EQ(out->plan.view().agreements.size(), 1u);
  EXPECT_EQ(out->plan.view().agreements[0].party, Party::kWorkWellService);
  ExpectAllValid(*out);
}

TEST_F(StayInWorkWithdrawalTest, NothingToWithdrawIsAConflict) {
  auto out = WithdrawAgreement(MakePlan({.parties = {"patient"}}), Party::kEmployer, At(kNow));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().http_status(), 409);
  out = WithdrawAgreement(MakePlan({.status = "completed", .parties = {"patient", "workwell-service", "employer"}}),
                          Party::kEmployer, At(kNow));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().issue().expression, "CarePlan.status");
}

using StayInWorkExpiryTest = LifecycleTest;

TEST_F(StayInWorkExpiryTest, AnActivePlanCompletesTheDayAfterItsPeriodEnds) {
  const Plan plan = MakePlan({.status = "active", .parties = {"patient", "workwell-service", "employer"}});
  auto on_end = ExpireAtPeriodEnd(plan, At("2027-01-11T23:59:59+00:00"));
  ASSERT_FALSE(on_end.ok());
  EXPECT_EQ(on_end.status().http_status(), 409);
  EXPECT_EQ(on_end.status().issue().expression, "CarePlan.period.end");
  EXPECT_EQ(DueToday(plan.view(), At("2027-01-11T23:59:59+00:00")), DueEvent::kNone);
  auto after = ExpireAtPeriodEnd(plan, At("2027-01-12T00:00:00+00:00"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->plan.view().status, PlanStatus::kCompleted);
  EXPECT_EQ(DueToday(plan.view(), At("2027-01-12T00:00:00+00:00")), DueEvent::kPeriodEnded);
  ExpectAllValid(*after);
  ExpectUnchangedExcept(plan.ToJson(), after->plan.ToJson(), {"status"});
  auto again = ExpireAtPeriodEnd(after->plan, At("2027-01-13T00:00:00+00:00"));
  EXPECT_FALSE(again.ok());
}

TEST_F(StayInWorkExpiryTest, DraftAndOnHoldPlansPastTheirEndAreRevoked) {
  for (const char* status : {"draft", "on-hold"}) {
    auto out = ExpireAtPeriodEnd(MakePlan({.status = status, .parties = {"patient"}}), At("2027-02-01T09:00:00+00:00"));
    ASSERT_TRUE(out.ok()) << status;
    EXPECT_EQ(out->plan.view().status, PlanStatus::kRevoked);
    ExpectAllValid(*out);
  }
  auto open = ExpireAtPeriodEnd(MakePlan({.end = ""}), At("2030-01-01T09:00:00+00:00"));
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().issue().expression, "CarePlan.period.end");
}

}  // namespace
}  // namespace workwell::stayinwork::testing

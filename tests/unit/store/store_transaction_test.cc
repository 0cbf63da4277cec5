// Transaction Bundles, units of work and the outbox on both backends.
#include "adapter/store/bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "tests/unit/store/store_fixture.h"

namespace workwell::store {
namespace {

using ::testing::HasSubstr;

class TransactionTest : public StoreTest {};

constexpr std::string_view kReferral = R"({"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]},
  "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"}},
 {"fullUrl":"urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059","resource":{"resourceType":"ServiceRequest","status":"active","intent":"order","subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},"authoredOn":"2024-05-02"},
  "request":{"method":"POST","url":"ServiceRequest"}},
 {"resource":{"resourceType":"CarePlan","id":"plan-1","status":"active","intent":"plan","subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},"basedOn":[{"reference":"urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059"}],"period":{"start":"2024-05-02"}},
  "request":{"method":"PUT","url":"CarePlan/plan-1"}}
]})";

TEST_P(TransactionTest, BundleWritesEverythingAndRewritesReferences) {
  json::Document bundle = Json(kReferral);
  auto result = ProcessTransaction(store(), bundle.root());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->entries.size(), 3u);
  EXPECT_EQ(result->entries[0].status, "201 Created");
  EXPECT_EQ(result->entries[1].status, "201 Created");
  EXPECT_EQ(result->entries[2].status, "201 Created");
  const std::string patient_loc = result->entries[0].location;  // Patient/<id>/_history/1
  const std::string patient = patient_loc.substr(0, patient_loc.find("/_history"));
  const std::string request_loc = result->entries[1].location;
  const std::string request = request_loc.substr(0, request_loc.find("/_history"));

  auto plan = store().Read("CarePlan", "plan-1");
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan->json, HasSubstr(R"("subject":{"reference":")" + patient + "\"}"));
  EXPECT_THAT(plan->json, HasSubstr(R"("basedOn":[{"reference":")" + request + "\"}]"));
  EXPECT_THAT(plan->json, ::testing::Not(HasSubstr("urn:uuid")));

  auto found = store().Search("ServiceRequest", SearchRequest{{{"patient.identifier", "9434765919"}}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 1);

  // The same Bundle again: the conditional create finds the patient; the new ServiceRequest
  // points at it; the plan gets version 2.
  auto again = ProcessTransaction(store(), bundle.root());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->entries[0].status, "200 OK");
  EXPECT_EQ(again->entries[0].location, patient_loc);
  EXPECT_EQ(again->entries[2].status, "200 OK");
  EXPECT_EQ(again->entries[2].etag, "W/\"2\"");

  const std::string text = RenderTransactionResponse(*again);
  Json(text);
  EXPECT_THAT(text, HasSubstr(R"("type":"transaction-response")"));
}

TEST_P(TransactionTest, AFailingEntryRollsBackTheWholeBundle) {
  json::Document seed = Json(R"({"resourceType":"CarePlan","id":"plan-2","status":"draft","intent":"plan"})");
  ASSERT_TRUE(store().Update(seed.root()).ok());
  json::Document bundle = Json(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","identifier":[{"value":"rollback-me"}]},"request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"CarePlan","id":"plan-2","status":"active","intent":"plan"},"request":{"method":"PUT","url":"CarePlan/plan-2","ifMatch":"W/\"5\""}}]})");
  auto result = ProcessTransaction(store(), bundle.root());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StoreCode::kVersionConflict);
  EXPECT_THAT(result.status().message(), HasSubstr("Bundle.entry[1]"));
  auto found = store().Search("Patient", SearchRequest{{{"identifier", "rollback-me"}}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 0);
  auto plan = store().Read("CarePlan", "plan-2");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->version, 1);
}

TEST_P(TransactionTest, MalformedBundlesAreInvalid) {
  for (std::string_view text : {
           R"({"resourceType":"Bundle","type":"batch","entry":[]})",
           R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]})",
           R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}}]})",
           R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/b"}}]})",
           R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient?identifier=x"}}]})",
           R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PATCH","url":"Patient/a"}}]})",
       }) {
    json::Document bundle = Json(text);
    EXPECT_EQ(ProcessTransaction(store(), bundle.root()).status().code(), StoreCode::kInvalid) << text;
  }
}

TEST_P(TransactionTest, BundleDeletes) {
  json::Document seed = Json(R"({"resourceType":"Patient","id":"gone-1"})");
  ASSERT_TRUE(store().Update(seed.root()).ok());
  json::Document bundle = Json(R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient/gone-1"}}]})");
  auto result = ProcessTransaction(store(), bundle.root());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->entries[0].status, "204 No Content");
  EXPECT_EQ(store().Read("Patient", "gone-1").status().code(), StoreCode::kGone);
}

TEST_P(TransactionTest, CaseResourcesAndOutboxEntryCommitTogether) {
  std::string case_id;
  StoreStatus st = store().RunInTransaction([&](Transaction& tx) -> StoreStatus {
    json::Document patient = Json(R"({"resourceType":"Patient","id":"case-p"})");
    auto p = tx.Update(patient.root());
    if (!p.ok()) return p.status();
    json::Document plan = Json(R"({"resourceType":"CarePlan","status":"active","intent":"plan","subject":{"reference":"Patient/case-p"}})");
    auto c = tx.Create(plan.root());
    if (!c.ok()) return c.status();
    case_id = c->resource.id;
    auto read = tx.Read("CarePlan", case_id);  // sees its own write
    if (!read.ok()) return read.status();
    auto q = tx.Enqueue(OutboxMessage{"workwell-service:birmingham", R"({"case":")" + case_id + "\"}", case_id, {}});
    return q.status();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto claimed = store().ClaimOutbox(ClaimRequest{"gw-1", 10});
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].key, case_id);
  EXPECT_EQ((*claimed)[0].destination, "workwell-service:birmingham");
  EXPECT_EQ((*claimed)[0].attempts, 1);

  // A unit of work that fails leaves neither its resources nor its outbox entry.
  st = store().RunInTransaction([&](Transaction& tx) -> StoreStatus {
    json::Document plan = Json(R"({"resourceType":"CarePlan","id":"never","status":"active","intent":"plan"})");
    auto c = tx.Update(plan.root());
    if (!c.ok()) return c.status();
    auto q = tx.Enqueue(OutboxMessage{"d", "{}", "never", {}});
    if (!q.ok()) return q.status();
    return StoreStatus(StoreCode::kInvalid, "validation failed");
  });
  EXPECT_EQ(st.code(), StoreCode::kInvalid);
  EXPECT_EQ(store().Read("CarePlan", "never").status().code(), StoreCode::kNotFound);
  auto none = store().ClaimOutbox(ClaimRequest{"gw-1", 10});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(TransactionTest, ReleasedClaimsAreDueAtOnceAndCountsFollowTheStates) {
  ASSERT_TRUE(store().RunInTransaction([](Transaction& tx) {
    for (const char* key : {"a", "b", "c"}) {
      if (auto id = tx.Enqueue({"dest", "payload", key, {}}); !id.ok()) return id.status();
    }
    return StoreStatus::Ok();
  }).ok());
  auto mine = store().ClaimOutbox({"gw-1", 2});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  auto theirs = store().ClaimOutbox({"gw-2", 5});
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->size(), 1u);
  auto counts = store().CountOutbox();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (std::vector<std::pair<std::string, int64_t>>{{"claimed", 3}}));

  // gw-1 restarts: its two claims are due again now, leases notwithstanding; gw-2's stays.
  auto released = store().ReleaseOutboxClaims("gw-1");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 2);
  auto again = store().ClaimOutbox({"gw-1", 5});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].id, (*mine)[0].id);
  EXPECT_EQ((*again)[0].attempts, 2);
  // The stale claim from before the restart cannot complete the entry.
  EXPECT_EQ(store().CompleteOutbox((*mine)[0].id, (*mine)[0].attempts).code(), StoreCode::kVersionConflict);
  ASSERT_TRUE(store().CompleteOutbox((*again)[0].id, (*again)[0].attempts).ok());
  EXPECT_EQ(*store().ReleaseOutboxClaims("nobody"), 0);
  auto entry = store().ReadOutboxEntry((*again)[0].id);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->state, "done");
  EXPECT_EQ(store().ReadOutboxEntry(999999).status().code(), StoreCode::kNotFound);
  counts = store().CountOutbox();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(*counts, (std::vector<std::pair<std::string, int64_t>>{{"claimed", 2}, {"done", 1}}));
}

TEST_P(TransactionTest, OutboxRetriesDeadLettersAndRequeues) {
  ASSERT_TRUE(store().RunInTransaction([](Transaction& tx) { return tx.Enqueue({"dest", "payload", "k1", {}}).status(); }).ok());
  auto first = store().ClaimOutbox({"gw-1", 5});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  const OutboxEntry e = (*first)[0];
  EXPECT_TRUE(store().ClaimOutbox({"gw-2", 5})->empty());  // claimed, lease not expired

  const int64_t retry_at = TestClock::kStart + 3'600'000'000;  // an hour on
  ASSERT_TRUE(store().FailOutbox(e.id, e.attempts, "HTTP 503", retry_at).ok());
  EXPECT_TRUE(store().ClaimOutbox({"gw-1", 5})->empty());  // not due yet
  clock_.Set(retry_at);
  auto second = store().ClaimOutbox({"gw-2", 5});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].attempts, 2);
  EXPECT_EQ((*second)[0].last_error, "HTTP 503");
  // The old claim is stale now.
  EXPECT_EQ(store().CompleteOutbox(e.id, 1).code(), StoreCode::kVersionConflict);

  ASSERT_TRUE(store().FailOutbox(e.id, 2, "HTTP 400: rejected", std::nullopt).ok());
  auto dead = store().ListDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].state, "dead");
  EXPECT_EQ((*dead)[0].last_error, "HTTP 400: rejected");

  ASSERT_TRUE(store().RequeueDeadLetter(e.id).ok());
  EXPECT_EQ(store().RequeueDeadLetter(e.id).code(), StoreCode::kNotFound);
  auto third = store().ClaimOutbox({"gw-1", 5});
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->size(), 1u);
  ASSERT_TRUE(store().CompleteOutbox(e.id, (*third)[0].attempts).ok());
  EXPECT_TRUE(store().ClaimOutbox({"gw-1", 5})->empty());
  EXPECT_TRUE(store().ListDeadLetters(10)->empty());
}

TEST_P(TransactionTest, ExpiredLeasesAreClaimedAgain) {
  ASSERT_TRUE(store().RunInTransaction([](Transaction& tx) { return tx.Enqueue({"dest", "p", "k", {}}).status(); }).ok());
  auto first = store().ClaimOutbox({"gw-1", 5, 1'000'000});
  ASSERT_EQ(first->size(), 1u);
  clock_.Set(TestClock::kStart + 10'000'000);
  auto second = store().ClaimOutbox({"gw-2", 5, 1'000'000});
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].claimed_by, "gw-2");
}

TEST_P(TransactionTest, ConcurrentInstancesClaimEachEntryOnce) {
  constexpr int kEntries = 120, kWorkers = 4;
  ASSERT_TRUE(store().RunInTransaction([&](Transaction& tx) -> StoreStatus {
    for (int i = 0; i < kEntries; ++i) {
      auto r = tx.Enqueue({"dest", std::to_string(i), "k", {}});
      if (!r.ok()) return r.status();
    }
    return StoreStatus::Ok();
  }).ok());
  std::mutex mu;
  std::map<int64_t, int> claims;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      auto opened = Open();
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      for (;;) {
        auto batch = (*opened)->ClaimOutbox({"gw-" + std::to_string(w), 7});
        ASSERT_TRUE(batch.ok()) << batch.status().ToString();
        if (batch->empty()) return;
        for (const OutboxEntry& e : *batch) {
          {
            std::lock_guard lock(mu);
            ++claims[e.id];
          }
          ASSERT_TRUE((*opened)->CompleteOutbox(e.id, e.attempts).ok());
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(claims.size(), static_cast<size_t>(kEntries));
  for (const auto& [id, n] : claims) EXPECT_EQ(n, 1) << "entry " << id;
}

INSTANTIATE_TEST_SUITE_P(Backends, TransactionTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace workwell::store

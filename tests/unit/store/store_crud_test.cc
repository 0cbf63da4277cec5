// Create, read, vread, update, delete and history on both backends.
#include "adapter/store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "adapter/store/schema.h"
#include "tests/unit/store/store_fixture.h"

namespace workwell::store {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kPatient =
    R"({"resourceType":"Patient","id":"ignored","meta":{"profile":["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"],"versionId":"9","lastUpdated":"2000-01-01T00:00:00Z"},"extension":[{"url":"https://example.org/weight","valueDecimal":70.50}],"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"birthDate":"1970-01-01"})";

TEST_P(StoreTest, CreateAssignsIdAndMetaAndKeepsJsonExact) {
  json::Document doc = Json(kPatient);
  auto created = store().Create(doc.root());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const ResourceVersion& v = created->resource;
  EXPECT_TRUE(created->created);
  EXPECT_TRUE(std::regex_match(v.id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << v.id;
  EXPECT_EQ(v.version, 1);
  EXPECT_EQ(v.ETag(), "W/\"1\"");
  EXPECT_EQ(v.last_updated, "2024-05-01T00:00:00.001Z");
  EXPECT_EQ(v.json, R"({"resourceType":"Patient","id":")" + v.id +
                        R"(","meta":{"versionId":"1","lastUpdated":"2024-05-01T00:00:00.001Z","profile":["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]},"extension":[{"url":"https://example.org/weight","valueDecimal":70.50}],"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"birthDate":"1970-01-01"})");

  auto read = store().Read("Patient", v.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->json, v.json);
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(read->last_updated, v.last_updated);
}

TEST_P(StoreTest, ReadUnknownIsNotFound) {
  auto read = store().Read("Patient", "nope");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StoreCode::kNotFound);
  EXPECT_EQ(HttpStatus(read.status().code()), 404);
  auto vread = store().VRead("Patient", "nope", 1);
  EXPECT_EQ(vread.status().code(), StoreCode::kNotFound);
}

TEST_P(StoreTest, CreateRejectsAResourceWithoutType) {
  json::Document doc = Json(R"({"id":"x"})");
  auto created = store().Create(doc.root());
  EXPECT_EQ(created.status().code(), StoreCode::kInvalid);
}

TEST_P(StoreTest, UpdateMakesVersionsAndHonoursIfMatch) {
  json::Document doc = Json(kPatient);
  auto created = store().Create(doc.root());
  ASSERT_TRUE(created.ok());
  const std::string id = created->resource.id;

  json::Document v2 = Json(R"({"resourceType":"Patient","id":")" + id + R"(","birthDate":"1971-02-03"})");
  auto updated = store().Update(v2.root(), UpdateOptions{1});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_FALSE(updated->created);
  EXPECT_EQ(updated->resource.version, 2);
  EXPECT_THAT(updated->resource.json, HasSubstr(R"("meta":{"versionId":"2")"));

  auto stale = store().Update(v2.root(), UpdateOptions{1});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StoreCode::kVersionConflict);
  EXPECT_EQ(HttpStatus(stale.status().code()), 412);

  auto old = store().VRead("Patient", id, 1);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->json, created->resource.json);
  auto current = store().Read("Patient", id);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2);
  EXPECT_THAT(current->json, HasSubstr("1971-02-03"));

  auto history = store().History("Patient", id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->total, 2);
  ASSERT_EQ(history->versions.size(), 2u);
  EXPECT_EQ(history->versions[0].version, 2);
  EXPECT_EQ(history->versions[0].method, "PUT");
  EXPECT_EQ(history->versions[1].method, "POST");
}

TEST_P(StoreTest, UpdateOfUnknownIdCreatesWhenAllowed) {
  json::Document doc = Json(R"({"resourceType":"Patient","id":"client-chosen-1","gender":"female"})");
  auto put = store().Update(doc.root());
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_TRUE(put->created);
  EXPECT_EQ(put->resource.id, "client-chosen-1");
  EXPECT_EQ(put->resource.version, 1);
  EXPECT_TRUE(store().info().update_create);

  StoreOptions options = Options();
  options.update_create = false;
  auto strict = Open(options);
  ASSERT_TRUE(strict.ok());
  json::Document other = Json(R"({"resourceType":"Patient","id":"client-chosen-2"})");
  auto refused = (*strict)->Update(other.root());
  EXPECT_EQ(refused.status().code(), StoreCode::kNotFound);
}

TEST_P(StoreTest, UpdateRejectsBadIds) {
  json::Document doc = Json(R"({"resourceType":"Patient","id":"bad id!"})");
  EXPECT_EQ(store().Update(doc.root()).status().code(), StoreCode::kInvalid);
  json::Document none = Json(R"({"resourceType":"Patient"})");
  EXPECT_EQ(store().Update(none.root()).status().code(), StoreCode::kInvalid);
}

TEST_P(StoreTest, DeleteLeavesAMarkerInHistoryAndReadIsGone) {
  json::Document doc = Json(kPatient);
  auto created = store().Create(doc.root());
  ASSERT_TRUE(created.ok());
  const std::string id = created->resource.id;

  EXPECT_EQ(store().Delete("Patient", id, DeleteOptions{7}).status().code(), StoreCode::kVersionConflict);
  auto deleted = store().Delete("Patient", id);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->version, 2);

  auto read = store().Read("Patient", id);
  EXPECT_EQ(read.status().code(), StoreCode::kGone);
  EXPECT_EQ(HttpStatus(read.status().code()), 410);

  auto again = store().Delete("Patient", id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 2);

  auto marker = store().VRead("Patient", id, 2);
  ASSERT_TRUE(marker.ok());
  EXPECT_TRUE(marker->deleted);
  EXPECT_TRUE(marker->json.empty());

  auto history = store().History("Patient", id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->versions.size(), 2u);
  EXPECT_TRUE(history->versions[0].deleted);
  EXPECT_EQ(history->versions[0].method, "DELETE");

  auto found = store().Search("Patient", SearchRequest{{{"identifier", "9434765919"}}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 0);

  json::Document back = Json(R"({"resourceType":"Patient","id":")" + id + R"("})");
  auto revived = store().Update(back.root());
  ASSERT_TRUE(revived.ok());
  EXPECT_TRUE(revived->created);
  EXPECT_EQ(revived->resource.version, 3);

  EXPECT_EQ(store().Delete("Patient", "never-was").status().code(), StoreCode::kNotFound);
}

TEST_P(StoreTest, HistoryPagesNewestFirst) {
  json::Document doc = Json(R"({"resourceType":"Patient","id":"h1"})");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store().Update(doc.root()).ok());
  auto page = store().History("Patient", "h1", HistoryRequest{2, 0, std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->versions.size(), 2u);
  EXPECT_EQ(page->versions[0].version, 5);
  EXPECT_EQ(page->next_offset, 2u);
  EXPECT_FALSE(page->prev_offset);
  auto last = store().History("Patient", "h1", HistoryRequest{2, 4, std::nullopt});
  ASSERT_TRUE(last.ok());
  ASSERT_EQ(last->versions.size(), 1u);
  EXPECT_EQ(last->versions[0].version, 1);
  EXPECT_FALSE(last->next_offset);
  EXPECT_EQ(last->prev_offset, 2u);
  EXPECT_EQ(store().History("Patient", "none").status().code(), StoreCode::kNotFound);
}

TEST_P(StoreTest, DataSurvivesReopening) {
  json::Document doc = Json(kPatient);
  auto created = store().Create(doc.root());
  ASSERT_TRUE(created.ok());
  store_.reset();
  auto reopened = Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto read = (*reopened)->Read("Patient", created->resource.id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->json, created->resource.json);
  EXPECT_EQ((*reopened)->info().schema_version, LatestSchemaVersion());
}

TEST_P(StoreTest, ConditionalCreateReturnsTheMatch) {
  json::Document doc = Json(kPatient);
  CreateOptions options;
  options.if_none_exist = "identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919";
  auto first = store().Create(doc.root(), options);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  auto second = store().Create(doc.root(), options);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->resource.id, first->resource.id);
  EXPECT_EQ(second->resource.version, 1);

  ASSERT_TRUE(store().Create(doc.root()).ok());  // an unconditional duplicate
  auto third = store().Create(doc.root(), options);
  EXPECT_EQ(third.status().code(), StoreCode::kMultipleMatches);
  EXPECT_EQ(HttpStatus(third.status().code()), 412);

  options.if_none_exist = "nonsense=1";
  EXPECT_EQ(store().Create(doc.root(), options).status().code(), StoreCode::kInvalid);
}

TEST_P(StoreTest, ParallelConditionalCreatesMakeOneResource) {
  constexpr int kThreads = 8;
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  // Each thread opens its own store, as separate gateway instances would.
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<Store> own;
      if (t % 2 == 1) {
        auto opened = Open();
        ASSERT_TRUE(opened.ok()) << opened.status().ToString();
        own = std::move(opened).value();
      }
      Store& s = own ? *own : store();
      json::Document doc = Json(R"({"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}]})");
      CreateOptions options;
      options.if_none_exist = "identifier=https://fhir.nhs.uk/Id/nhs-number%7C9000000009";
      auto r = s.Create(doc.root(), options);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (r->created) ++created;
      ids[t] = r->resource.id;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  auto found = store().Search("Patient", SearchRequest{{{"identifier", "9000000009"}}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 1);
}

TEST_P(StoreTest, ParallelUpdatesGetDistinctVersions) {
  json::Document doc = Json(R"({"resourceType":"Patient","id":"busy"})");
  ASSERT_TRUE(store().Update(doc.root()).ok());
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> versions;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store().Update(doc.root());
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        std::lock_guard lock(mu);
        versions.insert(r->resource.version);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(versions.size(), static_cast<size_t>(kThreads * kEach));
  auto read = store().Read("Patient", "busy");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version, 1 + kThreads * kEach);
}

TEST_P(StoreTest, ParallelUpdateAsCreateOfOneIdMakesOneResource) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      json::Document doc = Json(R"({"resourceType":"Patient","id":"race"})");
      auto r = store().Update(doc.root());
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (r->created) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  auto read = store().Read("Patient", "race");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->version, kThreads);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace workwell::store

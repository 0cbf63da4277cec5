// Schema migrations: a database written by schema v1 opens, upgrades and keeps its data.
#include "adapter/store/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/store/store_fixture.h"

namespace workwell::store {
namespace {

class MigrationTest : public StoreTest {
 protected:
  // The fixture's store would migrate on open; these tests build the database by hand first.
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      if (PgDsn().empty()) GTEST_SKIP() << "WORKWELL_PG_DSN is not set: PostgreSQL migration tests skipped";
      schema_ = UniqueName("t_");
    } else {
      dir_ = (std::filesystem::temp_directory_path() / UniqueName("workwell-migrate-")).string();
    }
  }

  void Run(SqlConnection& conn, std::string_view sql) {
    StoreStatus st = conn.ExecuteScript(sql);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
  }
};

// Schema v1 exactly as the first release wrote it, with one Patient in it.
constexpr std::string_view kV1Database = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE resources (type TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL, deleted INTEGER NOT NULL,
  last_updated BIGINT NOT NULL, PRIMARY KEY (type, id));
CREATE INDEX resources_by_updated ON resources (type, last_updated);
CREATE TABLE history (type TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL, deleted INTEGER NOT NULL,
  last_updated BIGINT NOT NULL, method TEXT NOT NULL, body TEXT, PRIMARY KEY (type, id, version));
CREATE TABLE search_index (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL, system TEXT NOT NULL,
  value TEXT NOT NULL, low BIGINT NOT NULL, high BIGINT NOT NULL);
CREATE INDEX search_index_by_value ON search_index (type, param, value, system);
CREATE INDEX search_index_by_date ON search_index (type, param, low, high);
CREATE INDEX search_index_by_owner ON search_index (type, id);
INSERT INTO resources VALUES ('Patient', 'old-1', 2, 0, 1700000000000000);
INSERT INTO history VALUES ('Patient', 'old-1', 1, 0, 1690000000000000, 'POST',
  '{"resourceType":"Patient","id":"old-1","meta":{"versionId":"1","lastUpdated":"2023-07-22T04:26:40.000Z"}}');
INSERT INTO history VALUES ('Patient', 'old-1', 2, 0, 1700000000000000, 'PUT',
  '{"resourceType":"Patient","id":"old-1","meta":{"versionId":"2","lastUpdated":"2023-11-14T22:13:20.000Z"},"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}');
INSERT INTO search_index VALUES ('Patient', 'old-1', 'identifier', 'https://fhir.nhs.uk/Id/nhs-number', '9434765919', 0, 0);
)sql";

TEST_P(MigrationTest, AVersionOneDatabaseUpgradesWithItsData) {
  {
    auto conn = Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    Run(**conn, kV1Database);
  }
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& s = **opened;
  EXPECT_EQ(s.info().schema_version, LatestSchemaVersion());

  auto read = s.Read("Patient", "old-1");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->version, 2);
  EXPECT_EQ(read->last_updated, "2023-11-14T22:13:20.000Z");
  EXPECT_THAT(read->json, ::testing::HasSubstr("9434765919"));
  auto found = s.Search("Patient", SearchRequest{{{"identifier", "https://fhir.nhs.uk/Id/nhs-number|9434765919"}}});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 1);
  auto history = s.History("Patient", "old-1");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->total, 2);

  // What v2 added works on the upgraded database.
  ASSERT_TRUE(s.RunInTransaction([](Transaction& tx) { return tx.Enqueue({"d", "{}", "old-1", {}}).status(); }).ok());
  auto claimed = s.ClaimOutbox({"gw", 1});
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->size(), 1u);
  json::Document doc = Json(R"({"resourceType":"Patient","id":"old-1"})");
  auto updated = s.Update(doc.root(), UpdateOptions{2});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->resource.version, 3);

  auto conn = Connect();
  ASSERT_TRUE(conn.ok());
  SqlRows rows;
  ASSERT_TRUE((*conn)->Execute("SELECT version FROM schema_version", {}, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.Int(0, 0), LatestSchemaVersion());
}

TEST_P(MigrationTest, ANewDatabaseIsCreatedAtTheLatestVersion) {
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)->info().schema_version, LatestSchemaVersion());
  opened->reset();
  auto again = Open();  // opening an up-to-date database changes nothing
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

TEST_P(MigrationTest, ANewerDatabaseIsRefused) {
  {
    auto conn = Connect();
    ASSERT_TRUE(conn.ok());
    Run(**conn, "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);");
  }
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StoreCode::kInternal);
  EXPECT_THAT(opened.status().message(), ::testing::HasSubstr("99"));
}

TEST_P(MigrationTest, ConcurrentFirstStartsMigrateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto opened = Open();
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      if (opened.ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace workwell::store

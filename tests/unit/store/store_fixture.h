#pragma once
// The backend-parameterised fixture: every test runs against SQLite (a fresh data directory)
// and PostgreSQL (a fresh schema in $WORKWELL_PG_DSN's database, skipped when it is unset).

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "adapter/common/json/json.h"
#include "adapter/store/postgres/postgres_store.h"
#include "adapter/store/sqlite/sqlite_store.h"
#include "adapter/store/store.h"

namespace workwell::store {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// The PostgreSQL connection string for tests, or empty.
inline std::string PgDsn() {
  const char* dsn = std::getenv("WORKWELL_PG_DSN");
  return dsn != nullptr ? dsn : "";
}

// A name unique within this machine for a test's directory or schema.
inline std::string UniqueName(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(std::rand() % 100000);
}

// A test clock: 2024-05-01T00:00:00Z, advancing one millisecond per reading.
class TestClock {
 public:
  static constexpr int64_t kStart = 1714521600000000;  // 2024-05-01T00:00:00Z in microseconds
  int64_t Now() { return now_.fetch_add(1000) + 1000; }
  void Set(int64_t micros) { now_.store(micros); }

 private:
  std::atomic<int64_t> now_{kStart};
};

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      if (PgDsn().empty()) {
        GTEST_SKIP() << "WORKWELL_PG_DSN is not set: PostgreSQL store tests skipped "
                        "(run eval \"$(scripts/postgres.sh start)\" or scripts/test.sh)";
      }
      schema_ = UniqueName("t_");
    } else {
      dir_ = (std::filesystem::temp_directory_path() / UniqueName("workwell-store-")).string();
    }
    auto opened = Open();
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    if (!schema_.empty()) (void)postgres::DropSchema(PgDsn(), schema_);
  }

  StoreOptions Options() {
    StoreOptions options;
    options.clock = [this] { return clock_.Now(); };
    options.pool_size = 8;
    return options;
  }

  // Opens another store on the same database (as a second gateway instance would).
  StoreResult<std::unique_ptr<Store>> Open(std::optional<StoreOptions> options = std::nullopt) {
    if (GetParam() == Backend::kPostgres) {
      postgres::PostgresOptions o;
      o.dsn = PgDsn();
      o.schema = schema_;
      o.store = options.value_or(Options());
      return postgres::OpenStore(o);
    }
    sqlite::SqliteOptions o;
    o.data_dir = dir_;
    o.store = options.value_or(Options());
    return sqlite::OpenStore(o);
  }

  // A raw connection to the test's database.
  StoreResult<std::unique_ptr<SqlConnection>> Connect() {
    if (GetParam() == Backend::kPostgres) return postgres::OpenConnection(PgDsn(), schema_);
    std::filesystem::create_directories(dir_);
    return sqlite::OpenConnection((std::filesystem::path(dir_) / "workwell.db").string());
  }

  static json::Document Json(std::string_view text) {
    json::Document doc;
    json::ParseError error;
    EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message << " in " << text;
    return doc;
  }

  Store& store() { return *store_; }

  TestClock clock_;
  std::string dir_;
  std::string schema_;
  std::unique_ptr<Store> store_;
};

}  // namespace workwell::store

#include "adapter/store/schema.h"

namespace workwell::store {

namespace {

// Version 1: resources (current version per id), history (every version, with its JSON) and
// the search index. Types are chosen so the same text works on both databases.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE resources (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  deleted INTEGER NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (type, id)
);
CREATE INDEX resources_by_updated ON resources (type, last_updated);
CREATE TABLE history (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  deleted INTEGER NOT NULL,
  last_updated BIGINT NOT NULL,
  method TEXT NOT NULL,
  body TEXT,
  PRIMARY KEY (type, id, version)
);
CREATE TABLE search_index (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  param TEXT NOT NULL,
  system TEXT NOT NULL,
  value TEXT NOT NULL,
  low BIGINT NOT NULL,
  high BIGINT NOT NULL
);
CREATE INDEX search_index_by_value ON search_index (type, param, value, system);
CREATE INDEX search_index_by_date ON search_index (type, param, low, high);
CREATE INDEX search_index_by_owner ON search_index (type, id);
)sql";

// Version 2: the delivery outbox and the conditional-create serialisation keys.
constexpr std::string_view kV2Sqlite = R"sql(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  destination TEXT NOT NULL,
  payload TEXT NOT NULL,
  correlation_key TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  available_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL DEFAULT 0,
  claimed_by TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_by_state ON outbox (state, available_at);
CREATE TABLE conditional_keys (
  type TEXT NOT NULL,
  query_hash TEXT NOT NULL,
  uses BIGINT NOT NULL,
  PRIMARY KEY (type, query_hash)
);
)sql";

constexpr std::string_view kV2Postgres = R"sql(
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  destination TEXT NOT NULL,
  payload TEXT NOT NULL,
  correlation_key TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  available_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL DEFAULT 0,
  claimed_by TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_by_state ON outbox (state, available_at);
CREATE TABLE conditional_keys (
  type TEXT NOT NULL,
  query_hash TEXT NOT NULL,
  uses BIGINT NOT NULL,
  PRIMARY KEY (type, query_hash)
);
)sql";

// Version 3: per-resource index lookups (EXISTS checks, date sort keys) name type, id and
// param; with only (type, id) a planner could prefer a (type, param) index and scan every row
// of the parameter for each candidate.
constexpr std::string_view kV3 = R"sql(
CREATE INDEX search_index_by_owner_param ON search_index (type, id, param);
DROP INDEX search_index_by_owner;
)sql";

constexpr Migration kMigrations[] = {
    {1, "resources, history and search index", kV1, kV1},
    {2, "outbox and conditional-create keys", kV2Sqlite, kV2Postgres},
    {3, "search index by owner and parameter", kV3, kV3},
};

// The key of the PostgreSQL advisory lock held while migrating ("WWSCHEMA").
constexpr int64_t kMigrationLockKey = 0x5757534348454D41;

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

StoreResult<int> Migrate(SqlConnection& conn, Dialect dialect) {
  StoreStatus st = conn.Begin(TxMode::kWrite);
  if (!st.ok()) return st;
  auto fail = [&](StoreStatus s) -> StoreResult<int> {
    conn.Rollback();
    return s;
  };
  if (dialect == Dialect::kPostgres) {
    const SqlParam key[] = {kMigrationLockKey};
    st = conn.Execute("SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", key, nullptr);
    if (!st.ok()) return fail(st);
  }
  st = conn.ExecuteScript("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  if (!st.ok()) return fail(st);
  SqlRows rows;
  st = conn.Execute("SELECT version FROM schema_version", {}, &rows);
  if (!st.ok()) return fail(st);
  int from = 0;
  if (rows.empty()) {
    st = conn.Execute("INSERT INTO schema_version (version) VALUES (0)", {}, nullptr);
    if (!st.ok()) return fail(st);
  } else {
    from = static_cast<int>(rows.Int(0, 0));
  }
  if (from > LatestSchemaVersion()) {
    return fail(StoreStatus(StoreCode::kInternal, "the database is at schema version " + std::to_string(from) +
                                                      ", newer than this gateway's " +
                                                      std::to_string(LatestSchemaVersion())));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= from) continue;
    st = conn.ExecuteScript(dialect == Dialect::kSqlite ? m.sqlite_sql : m.postgres_sql);
    if (!st.ok()) {
      return fail(StoreStatus(st.code(), "schema migration to v" + std::to_string(m.version) + ": " + st.message()));
    }
    const SqlParam v[] = {static_cast<int64_t>(m.version)};
    st = conn.Execute("UPDATE schema_version SET version = ?", v, nullptr);
    if (!st.ok()) return fail(st);
  }
  st = conn.Commit();
  if (!st.ok()) return fail(st);
  return from;
}

}  // namespace workwell::store

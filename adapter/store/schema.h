#pragma once
// Versioned schema migrations. The schema_version table holds one row with the version the
// database is at; opening a store applies every later migration and the version bump in one
// transaction, so a crash mid-upgrade leaves the older version intact.
// On PostgreSQL an advisory lock makes concurrent starts of several instances migrate once.

#include <span>
#include <string_view>

#include "adapter/store/sql.h"

namespace workwell::store {

// One step: the SQL that takes the schema from version - 1 to version.
struct Migration {
  int version;
  std::string_view description;
  std::string_view sqlite_sql;
  std::string_view postgres_sql;
};

// Every migration, in order. The last one's version is the current schema version.
std::span<const Migration> Migrations();

// The schema version this build writes.
int LatestSchemaVersion();

// Brings the database behind `conn` to LatestSchemaVersion and returns the version it was at
// (0 for a new database). kInternal when the database is newer than this build.
StoreResult<int> Migrate(SqlConnection& conn, Dialect dialect);

}  // namespace workwell::store

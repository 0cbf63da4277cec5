#pragma once
// The PostgreSQL backend, for several gateway instances sharing one database. Connections come
// from a small pool; the schema is created and migrated on start under an advisory lock.
// Work that must happen once (claiming an outbox entry) uses SELECT ... FOR UPDATE SKIP LOCKED,
// so each entry goes to exactly one instance.

#include <memory>
#include <string>

#include "adapter/store/sql.h"
#include "adapter/store/store.h"

namespace workwell::store::postgres {

struct PostgresOptions {
  // A libpq connection string: "host=127.0.0.1 port=5432 dbname=workwell user=workwell" or a
  // postgresql:// URI. https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING
  std::string dsn;
  // The schema holding the tables (created if missing); lets tests share one database.
  std::string schema = "public";
  StoreOptions store;
};

// Opens the store: connects, creates the schema if needed, migrates. kUnavailable when the
// server cannot be reached; kInvalid for a bad schema name.
StoreResult<std::unique_ptr<Store>> OpenStore(const PostgresOptions& options);

// One raw connection with search_path set to `schema` (created if missing). For migration tests
// and tools.
StoreResult<std::unique_ptr<SqlConnection>> OpenConnection(const std::string& dsn, const std::string& schema);

// Drops `schema` and everything in it (tests clean up with this).
StoreStatus DropSchema(const std::string& dsn, const std::string& schema);

}  // namespace workwell::store::postgres

#pragma once
// The embedded SQLite backend (the default): one database file under a data directory, created
// on first start, in WAL mode with synchronous=FULL so that a write acknowledged with a 2xx
// survives power loss, not only a process crash. A small pool of connections (busy_timeout set)
// lets reads run beside the single writer.

#include <memory>
#include <string>

#include "adapter/store/sql.h"
#include "adapter/store/store.h"

namespace workwell::store::sqlite {

struct SqliteOptions {
  std::string data_dir;                      // created if missing
  std::string file_name = "workwell.db";     // the database file inside data_dir
  int busy_timeout_ms = 10000;               // how long a writer waits for the lock
  StoreOptions store;
};

// The database file OpenStore uses for `options`.
std::string DatabasePath(const SqliteOptions& options);

// Opens (creating and migrating as needed) the store. kUnavailable when the directory or file
// cannot be created or opened; kInternal for a database newer than this build.
StoreResult<std::unique_ptr<Store>> OpenStore(const SqliteOptions& options);

// Opens one raw connection to the database at `path` (created if missing), configured as the
// store configures its own. For migration tests and tools.
StoreResult<std::unique_ptr<SqlConnection>> OpenConnection(const std::string& path, int busy_timeout_ms = 10000);

// Runs PRAGMA integrity_check on the database at `path`: "ok" when the file is sound.
StoreResult<std::string> IntegrityCheck(const std::string& path);

}  // namespace workwell::store::sqlite

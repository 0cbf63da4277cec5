#pragma once
// Opens the configured backend: SQLite unless the config names PostgreSQL.

#include <memory>
#include <string>

#include "adapter/store/store.h"

namespace workwell::store {

struct StoreConfig {
  std::string backend = "sqlite";  // "sqlite" or "postgres"
  std::string data_dir = "data";   // sqlite: the directory holding workwell.db
  std::string postgres_dsn;        // postgres: a libpq connection string
  std::string postgres_schema = "public";
  StoreOptions options;
};

// Opens the store `config` names. kInvalid for an unknown backend; otherwise as the backend's
// OpenStore. Blocks while connecting and migrating: call at startup, not on an I/O thread.
StoreResult<std::unique_ptr<Store>> OpenStore(const StoreConfig& config);

}  // namespace workwell::store

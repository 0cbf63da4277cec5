#include "adapter/store/open_store.h"

#include "adapter/store/postgres/postgres_store.h"
#include "adapter/store/sqlite/sqlite_store.h"

namespace workwell::store {

StoreResult<std::unique_ptr<Store>> OpenStore(const StoreConfig& config) {
  if (config.backend == "sqlite") {
    sqlite::SqliteOptions options;
    options.data_dir = config.data_dir;
    options.store = config.options;
    return sqlite::OpenStore(options);
  }
  if (config.backend == "postgres") {
    postgres::PostgresOptions options;
    options.dsn = config.postgres_dsn;
    options.schema = config.postgres_schema;
    options.store = config.options;
    return postgres::OpenStore(options);
  }
  return StoreStatus(StoreCode::kInvalid, "unknown store backend '" + config.backend + "' (sqlite or postgres)");
}

}  // namespace workwell::store

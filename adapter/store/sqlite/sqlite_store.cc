#include "adapter/store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>
#include <unordered_map>

#include "adapter/store/sql_store.h"

namespace workwell::store::sqlite {

namespace {

StoreStatus ErrorFor(sqlite3* db, int rc, std::string_view what) {
  const std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StoreStatus(StoreCode::kTransient, message);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return StoreStatus(StoreCode::kConflict, message);
      }
      return StoreStatus(StoreCode::kInternal, message);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM: return StoreStatus(StoreCode::kUnavailable, message);
    default: return StoreStatus(StoreCode::kInternal, message);
  }
}

class SqliteConnection : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  StoreStatus Execute(std::string_view sql, std::span<const SqlParam> params, SqlRows* rows) override {
    auto it = statements_.find(std::string(sql));
    sqlite3_stmt* stmt = nullptr;
    if (it == statements_.end()) {
      const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
      if (rc != SQLITE_OK) return Fail(rc, "prepare");
      statements_.emplace(std::string(sql), stmt);
    } else {
      stmt = it->second;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return Fail(rc, "bind");
    }
    const int columns = sqlite3_column_count(stmt);
    if (rows != nullptr) rows->Reset(static_cast<size_t>(columns));
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        StoreStatus st = Fail(rc, "step");
        sqlite3_reset(stmt);
        return st;
      }
      if (rows == nullptr) continue;
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          rows->Add(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          rows->Add(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    sqlite3_reset(stmt);
    return StoreStatus::Ok();
  }

  StoreStatus ExecuteScript(std::string_view sql) override {
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? StoreStatus::Ok() : Fail(rc, "exec");
  }

  StoreStatus Begin(TxMode mode) override {
    return ExecuteScript(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  }
  StoreStatus Commit() override { return ExecuteScript("COMMIT"); }
  void Rollback() override {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool healthy() const override { return healthy_; }

 private:
  StoreStatus Fail(int rc, std::string_view what) {
    const int primary = rc & 0xFF;
    if (primary == SQLITE_IOERR || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_CANTOPEN) {
      healthy_ = false;
    }
    return ErrorFor(db_, rc, what);
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  bool healthy_ = true;
};

}  // namespace

std::string DatabasePath(const SqliteOptions& options) {
  return (std::filesystem::path(options.data_dir) / options.file_name).string();
}

StoreResult<std::unique_ptr<SqlConnection>> OpenConnection(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    StoreStatus st(StoreCode::kUnavailable, "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db);
    return st;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(db);
  // WAL lets readers run beside the writer. synchronous=FULL syncs the WAL on every commit, so a
  // commit that returned (and the 2xx sent for it) survives power loss; NORMAL would only
  // survive a process crash.
  StoreStatus st = conn->ExecuteScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;");
  if (!st.ok()) return st;
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

StoreResult<std::unique_ptr<Store>> OpenStore(const SqliteOptions& options) {
  if (options.data_dir.empty()) return StoreStatus(StoreCode::kInvalid, "the SQLite store needs a data directory");
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return StoreStatus(StoreCode::kUnavailable, "cannot create " + options.data_dir + ": " + ec.message());
  const std::string path = DatabasePath(options);
  const int timeout = options.busy_timeout_ms;
  auto store = SqlStore::Open(Dialect::kSqlite, "sqlite", [path, timeout] { return OpenConnection(path, timeout); },
                              options.store);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

StoreResult<std::string> IntegrityCheck(const std::string& path) {
  auto conn = OpenConnection(path);
  if (!conn.ok()) return conn.status();
  SqlRows rows;
  StoreStatus st = (*conn)->Execute("PRAGMA integrity_check", {}, &rows);
  if (!st.ok()) return st;
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!out.empty()) out += "\n";
    out += rows.Text(i, 0);
  }
  return out;
}

}  // namespace workwell::store::sqlite

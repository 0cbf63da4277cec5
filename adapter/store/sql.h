#pragma once
// The small SQL surface the shared store logic needs from a database driver, and a bounded
// connection pool. Each backend (store/sqlite, store/postgres) implements SqlConnection; all
// FHIR logic lives once in SqlStore on top of it, so both backends behave the same.
//
// SQL text uses `?` placeholders; a backend that numbers them ($1, $2) rewrites the text.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapter/store/store_status.h"

namespace workwell::store {

// The SQL dialects; the shared logic varies only a few clauses by dialect.
enum class Dialect { kSqlite, kPostgres };

// A bound parameter: NULL, an integer or text.
using SqlParam = std::variant<std::nullptr_t, int64_t, std::string>;

// A result set held as text cells (NULL is nullopt), row-major.
class SqlRows {
 public:
  void Reset(size_t columns) {
    columns_ = columns;
    cells_.clear();
  }
  void Add(std::optional<std::string> cell) { cells_.push_back(std::move(cell)); }
  size_t size() const { return columns_ == 0 ? 0 : cells_.size() / columns_; }
  bool empty() const { return size() == 0; }
  bool IsNull(size_t row, size_t col) const { return !cells_[row * columns_ + col].has_value(); }
  // The cell's text ("" for NULL).
  const std::string& Text(size_t row, size_t col) const;
  // The cell as an integer (0 for NULL or non-numeric text).
  int64_t Int(size_t row, size_t col) const;

 private:
  size_t columns_ = 0;
  std::vector<std::optional<std::string>> cells_;
};

// How a transaction begins. kWrite takes the write lock up front where the database has one
// (SQLite BEGIN IMMEDIATE), so a read-then-write transaction never fails on lock upgrade.
enum class TxMode { kRead, kWrite };

// One database connection. Used by one thread at a time (the pool guarantees it).
// Errors map to StoreCodes: unique violations to kConflict, serialisation failures, deadlocks
// and busy timeouts to kTransient, lost connections to kUnavailable.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs one statement with `params`; fills `rows` (if given) with its result set.
  virtual StoreStatus Execute(std::string_view sql, std::span<const SqlParam> params, SqlRows* rows) = 0;
  // Runs a script of several statements without parameters (schema migrations).
  virtual StoreStatus ExecuteScript(std::string_view sql) = 0;
  virtual StoreStatus Begin(TxMode mode) = 0;
  virtual StoreStatus Commit() = 0;
  // Rolls back the open transaction, if any. Never fails visibly; a broken connection is
  // marked unhealthy instead.
  virtual void Rollback() = 0;
  // False once the connection is known to be unusable; the pool then discards it.
  virtual bool healthy() const = 0;
};

// Creates a new connection, already configured (pragmas, search_path).
using ConnectionFactory = std::function<StoreResult<std::unique_ptr<SqlConnection>>()>;

// A bounded pool. Acquire blocks while all `max_size` connections are in use. Thread-safe; must
// outlive every Lease it hands out.
class ConnectionPool {
 public:
  ConnectionPool(ConnectionFactory factory, size_t max_size);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection on loan; returned to the pool (or dropped if unhealthy) on destruction.
  class Lease {
   public:
    Lease() = default;
    Lease(ConnectionPool* pool, std::unique_ptr<SqlConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    SqlConnection* operator->() const { return conn_.get(); }
    SqlConnection& operator*() const { return *conn_; }

   private:
    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<SqlConnection> conn_;
  };

  // A connection, reusing an idle one or opening a new one (kUnavailable if that fails).
  StoreResult<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqlConnection> conn);

  ConnectionFactory factory_;
  const size_t max_size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  size_t open_ = 0;
};

}  // namespace workwell::store

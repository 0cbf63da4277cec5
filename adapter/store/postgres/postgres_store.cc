#include "adapter/store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <cstring>
#include <unordered_map>

#include "adapter/store/sql_store.h"

namespace workwell::store::postgres {

namespace {

// Rewrites `?` placeholders as $1, $2, ... (the shared SQL never has '?' inside literals).
std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool IsValidSchemaName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

class PgConnection : public SqlConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }

  StoreStatus Execute(std::string_view sql, std::span<const SqlParam> params, SqlRows* rows) override {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
      const std::string name = "s" + std::to_string(statements_.size());
      PGresult* res = PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr);
      StoreStatus st = Check(res, "prepare");
      PQclear(res);
      if (!st.ok()) return st;
      it = statements_.emplace(std::string(sql), name).first;
    }
    std::vector<std::string> ints;
    ints.reserve(params.size());
    std::vector<const char*> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* n = std::get_if<int64_t>(&params[i])) {
        ints.push_back(std::to_string(*n));
        values[i] = ints.back().c_str();
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      } else {
        values[i] = nullptr;
      }
    }
    PGresult* res = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()), values.data(), nullptr,
                                   nullptr, 0);
    StoreStatus st = Check(res, "execute");
    if (st.ok() && rows != nullptr) {
      const int n = PQntuples(res), cols = PQnfields(res);
      rows->Reset(static_cast<size_t>(cols));
      for (int r = 0; r < n; ++r) {
        for (int c = 0; c < cols; ++c) {
          if (PQgetisnull(res, r, c)) {
            rows->Add(std::nullopt);
          } else {
            rows->Add(std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
          }
        }
      }
    }
    PQclear(res);
    return st;
  }

  StoreStatus ExecuteScript(std::string_view sql) override {
    PGresult* res = PQexec(conn_, std::string(sql).c_str());
    StoreStatus st = Check(res, "exec");
    PQclear(res);
    return st;
  }

  StoreStatus Begin(TxMode mode) override {
    // Writes run at READ COMMITTED: each statement sees what committed before it, which the
    // conditional-create key lock relies on. Reads take one snapshot for count, page and includes.
    return ExecuteScript(mode == TxMode::kWrite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  StoreStatus Commit() override { return ExecuteScript("COMMIT"); }
  void Rollback() override {
    if (PQstatus(conn_) != CONNECTION_OK) return;
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    PGresult* res = PQexec(conn_, "ROLLBACK");
    PQclear(res);
  }
  bool healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  StoreStatus Check(PGresult* res, std::string_view what) {
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return StoreStatus::Ok();
    std::string message = std::string(what) + ": " + PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    if (PQstatus(conn_) != CONNECTION_OK) return StoreStatus(StoreCode::kUnavailable, message);
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string_view code = state != nullptr ? state : "";
    if (code == "23505") return StoreStatus(StoreCode::kConflict, message);
    if (code == "40001" || code == "40P01" || code == "55P03") return StoreStatus(StoreCode::kTransient, message);
    if (code.starts_with("08") || code.starts_with("57P")) return StoreStatus(StoreCode::kUnavailable, message);
    return StoreStatus(StoreCode::kInternal, message);
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> statements_;
};

}  // namespace

StoreResult<std::unique_ptr<SqlConnection>> OpenConnection(const std::string& dsn, const std::string& schema) {
  if (!IsValidSchemaName(schema)) {
    return StoreStatus(StoreCode::kInvalid, "'" + schema + "' is not a valid schema name ([a-z_][a-z0-9_]*)");
  }
  PGconn* raw = PQconnectdb(dsn.c_str());
  auto conn = std::make_unique<PgConnection>(raw);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = PQerrorMessage(raw);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return StoreStatus(StoreCode::kUnavailable, "cannot connect to PostgreSQL: " + message);
  }
  // Search statements bind the parameter name and values; a generic plan cached for all values
  // can be far worse than one made for the actual ones, so always plan with the values.
  StoreStatus st = conn->ExecuteScript("SET client_min_messages = warning; SET plan_cache_mode = force_custom_plan");
  if (!st.ok()) return st;
  if (schema != "public") {
    st = conn->ExecuteScript("CREATE SCHEMA IF NOT EXISTS " + schema);
    // Two instances creating the schema at once: one loses the race on the catalog, and the
    // schema exists either way.
    if (!st.ok() && st.code() != StoreCode::kConflict) return st;
  }
  st = conn->ExecuteScript("SET search_path TO " + schema);
  if (!st.ok()) return st;
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

StoreResult<std::unique_ptr<Store>> OpenStore(const PostgresOptions& options) {
  if (options.dsn.empty()) return StoreStatus(StoreCode::kInvalid, "the PostgreSQL store needs a connection string");
  const std::string dsn = options.dsn, schema = options.schema;
  auto store = SqlStore::Open(Dialect::kPostgres, "postgres", [dsn, schema] { return OpenConnection(dsn, schema); },
                              options.store);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

StoreStatus DropSchema(const std::string& dsn, const std::string& schema) {
  if (!IsValidSchemaName(schema) || schema == "public") {
    return StoreStatus(StoreCode::kInvalid, "refusing to drop schema '" + schema + "'");
  }
  auto conn = OpenConnection(dsn, "public");
  if (!conn.ok()) return conn.status();
  return (*conn)->ExecuteScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
}

}  // namespace workwell::store::postgres

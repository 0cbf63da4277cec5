#include "adapter/store/sql_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <unordered_set>

#include "adapter/store/resource_json.h"
#include "adapter/store/schema.h"
#include "adapter/store/search_params.h"
#include "adapter/store/search_sql.h"

namespace workwell::store {

namespace {

StoreStatus Invalid(std::string m) { return StoreStatus(StoreCode::kInvalid, std::move(m)); }

constexpr std::string_view kCurrentSql =
    "SELECT r.id, r.version, r.deleted, r.last_updated, h.method, h.body FROM resources r "
    "JOIN history h ON h.type = r.type AND h.id = r.id AND h.version = r.version WHERE r.type = ? AND r.id = ?";

constexpr std::string_view kOutboxColumns =
    "id, destination, payload, correlation_key, state, attempts, created_at, available_at, claimed_by, last_error";

// Rows selected as (id, version, deleted, last_updated, method, body) into ResourceVersions.
ResourceVersion VersionFromRow(std::string_view type, const SqlRows& rows, size_t i) {
  ResourceVersion v;
  v.type = std::string(type);
  v.id = rows.Text(i, 0);
  v.version = rows.Int(i, 1);
  v.deleted = rows.Int(i, 2) != 0;
  v.last_updated_micros = rows.Int(i, 3);
  v.last_updated = FormatInstant(v.last_updated_micros);
  v.method = rows.Text(i, 4);
  v.json = rows.Text(i, 5);
  return v;
}

std::vector<OutboxEntry> OutboxFromRows(const SqlRows& rows) {
  std::vector<OutboxEntry> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    OutboxEntry e;
    e.id = rows.Int(i, 0);
    e.destination = rows.Text(i, 1);
    e.payload = rows.Text(i, 2);
    e.key = rows.Text(i, 3);
    e.state = rows.Text(i, 4);
    e.attempts = rows.Int(i, 5);
    e.created_micros = rows.Int(i, 6);
    e.available_micros = rows.Int(i, 7);
    e.claimed_by = rows.Text(i, 8);
    e.last_error = rows.Text(i, 9);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const OutboxEntry& a, const OutboxEntry& b) { return a.id < b.id; });
  return out;
}

// The index rows are written in batches of this many per INSERT.
constexpr size_t kIndexBatch = 32;

class SqlTransaction : public Transaction {
 public:
  SqlTransaction(SqlConnection& conn, const SqlStore& store) : conn_(conn), store_(store) {}

  StoreResult<WriteOutcome> Create(const json::Value& resource, const CreateOptions& options) override {
    const std::string_view type = ResourceTypeOf(resource);
    if (!resource.IsObject() || type.empty()) return Invalid("the resource has no resourceType");
    if (!options.if_none_exist.empty()) {
      auto found = FindConditional(type, options.if_none_exist);
      if (!found.ok()) return found.status();
      if (!found->empty()) {
        auto current = Read(type, found->front());
        if (!current.ok()) return current.status();
        return WriteOutcome{std::move(current).value(), false};
      }
    }
    std::string id = options.assigned_id.empty() ? NewResourceId() : options.assigned_id;
    if (!IsValidId(id)) return Invalid("'" + id + "' is not a valid resource id");
    auto written = WriteVersion(type, id, 1, "POST", &resource, /*is_new=*/true);
    if (!written.ok()) return written.status();
    return WriteOutcome{std::move(written).value(), true};
  }

  StoreResult<WriteOutcome> Update(const json::Value& resource, const UpdateOptions& options) override {
    const std::string_view type = ResourceTypeOf(resource);
    if (!resource.IsObject() || type.empty()) return Invalid("the resource has no resourceType");
    const std::string id(ResourceIdOf(resource));
    if (!IsValidId(id)) return Invalid("an update needs a valid id in the resource, got '" + id + "'");
    SqlRows rows;
    StoreStatus st = LockCurrent(type, id, rows);
    if (!st.ok()) return st;
    if (rows.empty()) {
      if (!store_.options().update_create) {
        return StoreStatus(StoreCode::kNotFound, std::string(type) + "/" + id + " does not exist");
      }
      if (options.if_match) {
        return StoreStatus(StoreCode::kVersionConflict,
                           std::string(type) + "/" + id + " does not exist, so If-Match cannot match");
      }
      auto written = WriteVersion(type, id, 1, "PUT", &resource, /*is_new=*/true);
      if (!written.ok()) return written.status();
      return WriteOutcome{std::move(written).value(), true};
    }
    const int64_t version = rows.Int(0, 0);
    const bool was_deleted = rows.Int(0, 1) != 0;
    if (options.if_match && *options.if_match != version) {
      return StoreStatus(StoreCode::kVersionConflict, "If-Match names version " + std::to_string(*options.if_match) +
                                                          " but " + std::string(type) + "/" + id + " is at version " +
                                                          std::to_string(version));
    }
    auto written = WriteVersion(type, id, version + 1, "PUT", &resource, /*is_new=*/false);
    if (!written.ok()) return written.status();
    return WriteOutcome{std::move(written).value(), was_deleted};
  }

  StoreResult<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                      const DeleteOptions& options) override {
    SqlRows rows;
    StoreStatus st = LockCurrent(type, id, rows);
    if (!st.ok()) return st;
    if (rows.empty()) return StoreStatus(StoreCode::kNotFound, std::string(type) + "/" + std::string(id) + " does not exist");
    const int64_t version = rows.Int(0, 0);
    if (options.if_match && *options.if_match != version) {
      return StoreStatus(StoreCode::kVersionConflict, "If-Match names version " + std::to_string(*options.if_match) +
                                                          " but the resource is at version " + std::to_string(version));
    }
    if (rows.Int(0, 1) != 0) return VRead(type, id, version);
    return WriteVersion(type, std::string(id), version + 1, "DELETE", nullptr, /*is_new=*/false);
  }

  StoreResult<ResourceVersion> Read(std::string_view type, std::string_view id) override {
    SqlRows rows;
    const SqlParam p[] = {std::string(type), std::string(id)};
    StoreStatus st = conn_.Execute(kCurrentSql, p, &rows);
    if (!st.ok()) return st;
    if (rows.empty()) return StoreStatus(StoreCode::kNotFound, std::string(type) + "/" + std::string(id) + " is not known");
    ResourceVersion v = VersionFromRow(type, rows, 0);
    if (v.deleted) {
      return StoreStatus(StoreCode::kGone, std::string(type) + "/" + std::string(id) + " was deleted (version " +
                                               std::to_string(v.version) + ")");
    }
    return v;
  }

  StoreResult<ResourceVersion> VRead(std::string_view type, std::string_view id, int64_t version) override {
    SqlRows rows;
    const SqlParam p[] = {std::string(type), std::string(id), version};
    StoreStatus st = conn_.Execute(
        "SELECT id, version, deleted, last_updated, method, body FROM history WHERE type = ? AND id = ? AND version = ?",
        p, &rows);
    if (!st.ok()) return st;
    if (rows.empty()) {
      return StoreStatus(StoreCode::kNotFound, std::string(type) + "/" + std::string(id) + " has no version " +
                                                   std::to_string(version));
    }
    return VersionFromRow(type, rows, 0);
  }

  StoreResult<HistoryPage> History(std::string_view type, std::string_view id, const HistoryRequest& request) override {
    SqlRows rows;
    const int64_t since = request.since_micros.value_or(kMinTime);
    const SqlParam p[] = {std::string(type), std::string(id), since};
    StoreStatus st = conn_.Execute(
        "SELECT COUNT(*) FROM history WHERE type = ? AND id = ? AND last_updated >= ?", p, &rows);
    if (!st.ok()) return st;
    HistoryPage page;
    page.total = rows.Int(0, 0);
    if (page.total == 0) {
      const SqlParam q[] = {std::string(type), std::string(id)};
      st = conn_.Execute("SELECT version FROM resources WHERE type = ? AND id = ?", q, &rows);
      if (!st.ok()) return st;
      if (rows.empty()) return StoreStatus(StoreCode::kNotFound, std::string(type) + "/" + std::string(id) + " is not known");
      return page;
    }
    const size_t count = std::clamp<size_t>(request.count, 1, kMaxCount);
    const SqlParam q[] = {std::string(type), std::string(id), since, static_cast<int64_t>(count),
                          static_cast<int64_t>(request.offset)};
    st = conn_.Execute(
        "SELECT id, version, deleted, last_updated, method, body FROM history WHERE type = ? AND id = ? AND "
        "last_updated >= ? ORDER BY version DESC LIMIT ? OFFSET ?",
        q, &rows);
    if (!st.ok()) return st;
    for (size_t i = 0; i < rows.size(); ++i) page.versions.push_back(VersionFromRow(type, rows, i));
    if (request.offset + count < static_cast<size_t>(page.total)) page.next_offset = request.offset + count;
    if (request.offset > 0) page.prev_offset = request.offset > count ? request.offset - count : 0;
    return page;
  }

  StoreResult<SearchPage> Search(std::string_view type, const SearchRequest& request) override {
    auto compiled = CompileSearch(type, request);
    if (!compiled.ok()) return compiled.status();
    const CompiledSearch& cs = *compiled;
    SearchPage page;
    page.ignored = cs.ignored;

    std::vector<SqlParam> params;
    params.emplace_back(std::string(type));
    params.insert(params.end(), cs.where_params.begin(), cs.where_params.end());
    SqlRows rows;
    StoreStatus st =
        conn_.Execute("SELECT COUNT(*) FROM resources r WHERE r.type = ? AND r.deleted = 0" + cs.where, params, &rows);
    if (!st.ok()) return st;
    page.total = rows.Int(0, 0);

    if (cs.count > 0 && cs.offset < static_cast<size_t>(page.total)) {
      params.insert(params.end(), cs.order_params.begin(), cs.order_params.end());
      params.emplace_back(static_cast<int64_t>(cs.count));
      params.emplace_back(static_cast<int64_t>(cs.offset));
      st = conn_.Execute(
          "SELECT r.id, r.version, r.deleted, r.last_updated, h.method, h.body FROM resources r "
          "JOIN history h ON h.type = r.type AND h.id = r.id AND h.version = r.version "
          "WHERE r.type = ? AND r.deleted = 0" +
              cs.where + " ORDER BY " + cs.order_by + " LIMIT ? OFFSET ?",
          params, &rows);
      if (!st.ok()) return st;
      for (size_t i = 0; i < rows.size(); ++i) page.matches.push_back(VersionFromRow(type, rows, i));
    }
    st = ResolveIncludes(type, cs.includes, page);
    if (!st.ok()) return st;

    auto link = [&](size_t offset) {
      QueryParams q = cs.canonical;
      if (offset > 0) q.emplace_back("_offset", std::to_string(offset));
      return EncodeQueryString(q);
    };
    page.self_query = link(cs.offset);
    if (cs.count > 0 && cs.offset + cs.count < static_cast<size_t>(page.total)) page.next_query = link(cs.offset + cs.count);
    if (cs.offset > 0) page.prev_query = link(cs.offset > cs.count ? cs.offset - cs.count : 0);
    return page;
  }

  StoreResult<int64_t> Enqueue(const OutboxMessage& message) override {
    const int64_t now = store_.options().clock();
    const SqlParam p[] = {message.destination, message.payload, message.key, now, message.not_before_micros.value_or(now)};
    SqlRows rows;
    StoreStatus st = conn_.Execute(
        "INSERT INTO outbox (destination, payload, correlation_key, state, attempts, created_at, available_at) "
        "VALUES (?, ?, ?, 'pending', 0, ?, ?) RETURNING id",
        p, &rows);
    if (!st.ok()) return st;
    return rows.Int(0, 0);
  }

 private:
  // The current (version, deleted) of a resource, locking its row against concurrent writers.
  StoreStatus LockCurrent(std::string_view type, std::string_view id, SqlRows& rows) {
    const SqlParam p[] = {std::string(type), std::string(id)};
    std::string sql = "SELECT version, deleted FROM resources WHERE type = ? AND id = ?";
    if (store_.dialect() == Dialect::kPostgres) sql += " FOR UPDATE";
    return conn_.Execute(sql, p, &rows);
  }

  // The ids (at most two) matching a conditional create's query. Takes the query's key lock
  // first, so identical conditional creates run one after the other: on PostgreSQL the second
  // waits on the key row, then (READ COMMITTED) its search sees the first one's resource; on
  // SQLite the write transaction already serialises them.
  StoreResult<std::vector<std::string>> FindConditional(std::string_view type, std::string_view query) {
    auto params = ParseQueryString(query);
    if (!params.ok()) return params.status();
    if (params->empty()) return Invalid("If-None-Exist has no search parameters");
    const SqlParam key[] = {std::string(type), ConditionKey(type, *params)};
    StoreStatus st = conn_.Execute(
        "INSERT INTO conditional_keys (type, query_hash, uses) VALUES (?, ?, 1) "
        "ON CONFLICT (type, query_hash) DO UPDATE SET uses = conditional_keys.uses + 1",
        key, nullptr);
    if (!st.ok()) return st;
    SearchRequest request{std::move(params).value(), /*strict=*/true};
    auto compiled = CompileSearch(type, request);
    if (!compiled.ok()) return StoreStatus(StoreCode::kInvalid, "If-None-Exist: " + compiled.status().message());
    std::vector<SqlParam> p;
    p.emplace_back(std::string(type));
    p.insert(p.end(), compiled->where_params.begin(), compiled->where_params.end());
    SqlRows rows;
    st = conn_.Execute("SELECT r.id FROM resources r WHERE r.type = ? AND r.deleted = 0" + compiled->where +
                           " ORDER BY r.id LIMIT 2",
                       p, &rows);
    if (!st.ok()) return st;
    if (rows.size() > 1) {
      return StoreStatus(StoreCode::kMultipleMatches,
                         "If-None-Exist '" + std::string(query) + "' matches more than one " + std::string(type));
    }
    std::vector<std::string> ids;
    for (size_t i = 0; i < rows.size(); ++i) ids.push_back(rows.Text(i, 0));
    return ids;
  }

  // Writes version `version` of type/id: the resource stamped with id and meta (or a deletion
  // marker when `resource` is null), its history row and its index rows.
  StoreResult<ResourceVersion> WriteVersion(std::string_view type, const std::string& id, int64_t version,
                                            std::string_view method, const json::Value* resource, bool is_new) {
    ResourceVersion v;
    v.type = std::string(type);
    v.id = id;
    v.version = version;
    v.method = std::string(method);
    v.deleted = resource == nullptr;
    v.last_updated_micros = store_.options().clock() / 1000 * 1000;
    v.last_updated = FormatInstant(v.last_updated_micros);
    std::vector<IndexEntry> index;
    if (resource != nullptr) {
      json::Document doc;
      StampResource(*resource, id, version, v.last_updated, nullptr, doc);
      v.json = json::Write(doc.root());
      index = ExtractIndex(type, doc.root());
    }
    const int64_t deleted = v.deleted ? 1 : 0;
    StoreStatus st;
    if (is_new) {
      const SqlParam p[] = {v.type, id, version, deleted, v.last_updated_micros};
      st = conn_.Execute("INSERT INTO resources (type, id, version, deleted, last_updated) VALUES (?, ?, ?, ?, ?)", p,
                         nullptr);
    } else {
      const SqlParam p[] = {version, deleted, v.last_updated_micros, v.type, id};
      st = conn_.Execute("UPDATE resources SET version = ?, deleted = ?, last_updated = ? WHERE type = ? AND id = ?", p,
                         nullptr);
    }
    if (!st.ok()) return st;
    const SqlParam h[] = {v.type, id, version, deleted, v.last_updated_micros, v.method,
                          v.deleted ? SqlParam(nullptr) : SqlParam(v.json)};
    st = conn_.Execute(
        "INSERT INTO history (type, id, version, deleted, last_updated, method, body) VALUES (?, ?, ?, ?, ?, ?, ?)", h,
        nullptr);
    if (!st.ok()) return st;
    if (!is_new) {
      const SqlParam d[] = {v.type, id};
      st = conn_.Execute("DELETE FROM search_index WHERE type = ? AND id = ?", d, nullptr);
      if (!st.ok()) return st;
    }
    for (size_t start = 0; start < index.size(); start += kIndexBatch) {
      const size_t end = std::min(index.size(), start + kIndexBatch);
      std::string sql = "INSERT INTO search_index (type, id, param, system, value, low, high) VALUES ";
      std::vector<SqlParam> p;
      p.reserve((end - start) * 7);
      for (size_t i = start; i < end; ++i) {
        if (i > start) sql += ", ";
        sql += "(?, ?, ?, ?, ?, ?, ?)";
        p.emplace_back(v.type);
        p.emplace_back(id);
        p.emplace_back(std::move(index[i].param));
        p.emplace_back(std::move(index[i].system));
        p.emplace_back(std::move(index[i].value));
        p.emplace_back(index[i].low);
        p.emplace_back(index[i].high);
      }
      st = conn_.Execute(sql, p, nullptr);
      if (!st.ok()) return st;
    }
    return v;
  }

  StoreStatus ResolveIncludes(std::string_view type, const std::vector<IncludeSpec>& includes, SearchPage& page) {
    if (includes.empty() || page.matches.empty()) return StoreStatus::Ok();
    std::unordered_set<std::string> seen;
    for (const ResourceVersion& m : page.matches) seen.insert(m.type + "/" + m.id);
    for (const IncludeSpec& inc : includes) {
      std::string sql = "SELECT DISTINCT value FROM search_index WHERE type = ? AND param = ? AND id IN (";
      std::vector<SqlParam> p{std::string(type), inc.param};
      for (size_t i = 0; i < page.matches.size(); ++i) {
        sql += i == 0 ? "?" : ", ?";
        p.emplace_back(page.matches[i].id);
      }
      sql += ") ORDER BY value";
      SqlRows rows;
      StoreStatus st = conn_.Execute(sql, p, &rows);
      if (!st.ok()) return st;
      for (size_t i = 0; i < rows.size(); ++i) {
        const std::string& ref = rows.Text(i, 0);
        const size_t slash = ref.find('/');
        if (slash == std::string::npos) continue;
        const std::string target = ref.substr(0, slash);
        if (!inc.target.empty() && target != inc.target) continue;
        if (!seen.insert(ref).second) continue;
        auto r = Read(target, ref.substr(slash + 1));
        if (r.ok()) {
          page.includes.push_back(std::move(r).value());
        } else if (r.status().code() != StoreCode::kNotFound && r.status().code() != StoreCode::kGone) {
          return r.status();
        }
      }
    }
    return StoreStatus::Ok();
  }

  SqlConnection& conn_;
  const SqlStore& store_;
};

}  // namespace

SqlStore::SqlStore(Dialect dialect, ConnectionFactory factory, StoreOptions options)
    : dialect_(dialect), options_(std::move(options)), pool_(std::move(factory), options_.pool_size) {}

StoreResult<std::unique_ptr<SqlStore>> SqlStore::Open(Dialect dialect, std::string backend, ConnectionFactory factory,
                                                      StoreOptions options) {
  if (!options.clock) options.clock = SystemMicros;
  std::unique_ptr<SqlStore> store(new SqlStore(dialect, std::move(factory), std::move(options)));
  auto lease = store->pool_.Acquire();
  if (!lease.ok()) return lease.status();
  StoreResult<int> migrated = StoreStatus(StoreCode::kInternal, "not run");
  for (int attempt = 0; attempt < 5; ++attempt) {
    migrated = Migrate(**lease, dialect);
    if (migrated.ok() || !migrated.status().retryable()) break;
  }
  if (!migrated.ok()) return migrated.status();
  store->info_ = StoreInfo{std::move(backend), LatestSchemaVersion(), store->options_.update_create};
  return store;
}

StoreStatus SqlStore::WithConnection(TxMode mode, const std::function<StoreStatus(SqlConnection&)>& fn) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  StoreStatus st;
  for (int attempt = 0;; ++attempt) {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    SqlConnection& conn = **lease;
    st = conn.Begin(mode);
    if (st.ok()) {
      st = fn(conn);
      if (st.ok()) st = conn.Commit();
      if (!st.ok()) conn.Rollback();
    }
    if (st.ok() || !st.retryable() || attempt >= options_.max_retries) return st;
    const int cap_ms = std::min(1 << std::min(attempt, 6), 50);
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (cap_ms * 1000 + 1)));
  }
}

StoreStatus SqlStore::RunInTransaction(const std::function<StoreStatus(Transaction&)>& work, Access access) {
  return WithConnection(access == Access::kRead ? TxMode::kRead : TxMode::kWrite, [&](SqlConnection& conn) {
    SqlTransaction tx(conn, *this);
    return work(tx);
  });
}

StoreResult<std::vector<OutboxEntry>> SqlStore::ClaimOutbox(const ClaimRequest& request) {
  std::vector<OutboxEntry> out;
  StoreStatus st = WithConnection(TxMode::kWrite, [&](SqlConnection& conn) {
    const int64_t now = options_.clock();
    const SqlParam p[] = {request.worker, now + request.lease_micros, now, now,
                          static_cast<int64_t>(std::max<size_t>(request.max_entries, 1))};
    std::string sql =
        "UPDATE outbox SET state = 'claimed', claimed_by = ?, lease_until = ?, attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox WHERE (state = 'pending' AND available_at <= ?) "
        "OR (state = 'claimed' AND lease_until < ?) ORDER BY id LIMIT ?";
    if (dialect_ == Dialect::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
    sql += ") RETURNING ";
    sql += kOutboxColumns;
    SqlRows rows;
    StoreStatus s = conn.Execute(sql, p, &rows);
    if (s.ok()) out = OutboxFromRows(rows);
    return s;
  });
  if (!st.ok()) return st;
  return out;
}

StoreStatus SqlStore::CompleteOutbox(int64_t id, int64_t attempt) {
  return WithConnection(TxMode::kWrite, [&](SqlConnection& conn) {
    const SqlParam p[] = {id, attempt};
    SqlRows rows;
    StoreStatus s = conn.Execute(
        "UPDATE outbox SET state = 'done', lease_until = 0 WHERE id = ? AND attempts = ? AND state = 'claimed' "
        "RETURNING id",
        p, &rows);
    if (s.ok() && rows.empty()) {
      return StoreStatus(StoreCode::kVersionConflict, "outbox entry " + std::to_string(id) + " is no longer claimed by attempt " +
                                                          std::to_string(attempt));
    }
    return s;
  });
}

StoreStatus SqlStore::FailOutbox(int64_t id, int64_t attempt, std::string_view error,
                                 std::optional<int64_t> retry_at_micros) {
  return WithConnection(TxMode::kWrite, [&](SqlConnection& conn) {
    const SqlParam p[] = {std::string(retry_at_micros ? "pending" : "dead"), retry_at_micros.value_or(0),
                          std::string(error), id, attempt};
    SqlRows rows;
    StoreStatus s = conn.Execute(
        "UPDATE outbox SET state = ?, available_at = ?, last_error = ?, lease_until = 0 "
        "WHERE id = ? AND attempts = ? AND state = 'claimed' RETURNING id",
        p, &rows);
    if (s.ok() && rows.empty()) {
      return StoreStatus(StoreCode::kVersionConflict, "outbox entry " + std::to_string(id) + " is no longer claimed by attempt " +
                                                          std::to_string(attempt));
    }
    return s;
  });
}

StoreResult<std::vector<OutboxEntry>> SqlStore::ListDeadLetters(size_t limit) {
  std::vector<OutboxEntry> out;
  StoreStatus st = WithConnection(TxMode::kRead, [&](SqlConnection& conn) {
    const SqlParam p[] = {static_cast<int64_t>(limit)};
    SqlRows rows;
    StoreStatus s = conn.Execute(
        std::string("SELECT ") + std::string(kOutboxColumns) + " FROM outbox WHERE state = 'dead' ORDER BY id LIMIT ?", p,
        &rows);
    if (s.ok()) out = OutboxFromRows(rows);
    return s;
  });
  if (!st.ok()) return st;
  return out;
}

StoreStatus SqlStore::RequeueDeadLetter(int64_t id) {
  return WithConnection(TxMode::kWrite, [&](SqlConnection& conn) {
    const SqlParam p[] = {options_.clock(), id};
    SqlRows rows;
    StoreStatus s = conn.Execute(
        "UPDATE outbox SET state = 'pending', available_at = ? WHERE id = ? AND state = 'dead' RETURNING id", p, &rows);
    if (s.ok() && rows.empty()) {
      return StoreStatus(StoreCode::kNotFound, "outbox entry " + std::to_string(id) + " is not dead-lettered");
    }
    return s;
  });
}

StoreResult<int64_t> SqlStore::ReleaseOutboxClaims(std::string_view worker) {
  int64_t released = 0;
  StoreStatus st = WithConnection(TxMode::kWrite, [&](SqlConnection& conn) {
    const SqlParam p[] = {options_.clock(), std::string(worker)};
    SqlRows rows;
    StoreStatus s = conn.Execute(
        "UPDATE outbox SET state = 'pending', available_at = ?, lease_until = 0 WHERE state = 'claimed' AND "
        "claimed_by = ? RETURNING id",
        p, &rows);
    if (s.ok()) released = static_cast<int64_t>(rows.size());
    return s;
  });
  if (!st.ok()) return st;
  return released;
}

StoreResult<OutboxEntry> SqlStore::ReadOutboxEntry(int64_t id) {
  std::vector<OutboxEntry> out;
  StoreStatus st = WithConnection(TxMode::kRead, [&](SqlConnection& conn) {
    const SqlParam p[] = {id};
    SqlRows rows;
    StoreStatus s = conn.Execute(std::string("SELECT ") + std::string(kOutboxColumns) + " FROM outbox WHERE id = ?", p, &rows);
    if (s.ok()) out = OutboxFromRows(rows);
    return s;
  });
  if (!st.ok()) return st;
  if (out.empty()) return StoreStatus(StoreCode::kNotFound, "no outbox entry " + std::to_string(id));
  return out.front();
}

StoreResult<std::vector<std::pair<std::string, int64_t>>> SqlStore::CountOutbox() {
  std::vector<std::pair<std::string, int64_t>> out;
  StoreStatus st = WithConnection(TxMode::kRead, [&](SqlConnection& conn) {
    SqlRows rows;
    StoreStatus s = conn.Execute("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state", {}, &rows);
    if (s.ok()) {
      out.clear();
      for (size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows.Text(i, 0), rows.Int(i, 1));
    }
    return s;
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace workwell::store

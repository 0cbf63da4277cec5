#pragma once
// The store implemented once over SqlConnection: versioning, conditional create, history,
// search, includes and the outbox. The sqlite and postgres backends only supply connections.

#include <memory>
#include <string>

#include "adapter/store/sql.h"
#include "adapter/store/store.h"

namespace workwell::store {

class SqlStore : public Store {
 public:
  // Opens a store over connections from `factory`: migrates the schema first. `backend` names
  // it in StoreInfo. Errors: kUnavailable (cannot connect), kInternal (schema newer than us).
  static StoreResult<std::unique_ptr<SqlStore>> Open(Dialect dialect, std::string backend, ConnectionFactory factory,
                                                     StoreOptions options);

  StoreStatus RunInTransaction(const std::function<StoreStatus(Transaction&)>& work, Access access) override;
  StoreResult<std::vector<OutboxEntry>> ClaimOutbox(const ClaimRequest& request) override;
  StoreStatus CompleteOutbox(int64_t id, int64_t attempt) override;
  StoreStatus FailOutbox(int64_t id, int64_t attempt, std::string_view error,
                         std::optional<int64_t> retry_at_micros) override;
  StoreResult<std::vector<OutboxEntry>> ListDeadLetters(size_t limit) override;
  StoreStatus RequeueDeadLetter(int64_t id) override;
  StoreResult<OutboxEntry> ReadOutboxEntry(int64_t id) override;
  StoreResult<int64_t> ReleaseOutboxClaims(std::string_view worker) override;
  StoreResult<std::vector<std::pair<std::string, int64_t>>> CountOutbox() override;
  StoreInfo info() const override { return info_; }

  // The dialect the SQL is written for.
  Dialect dialect() const { return dialect_; }
  const StoreOptions& options() const { return options_; }

 private:
  SqlStore(Dialect dialect, ConnectionFactory factory, StoreOptions options);

  // Runs `fn` on a pooled connection inside a transaction, with the retry policy.
  StoreStatus WithConnection(TxMode mode, const std::function<StoreStatus(SqlConnection&)>& fn);

  const Dialect dialect_;
  StoreOptions options_;
  ConnectionPool pool_;
  StoreInfo info_;
};

}  // namespace workwell::store

#pragma once
// The FHIR resource store: one interface, two implementations chosen by config (embedded SQLite
// by default, PostgreSQL when several gateway instances share a database). It implements the
// storage side of the FHIR RESTful API: create, read, vread, update with versions, conditional
// create, delete with history, _history, search, and transaction Bundles, plus the delivery
// outbox. https://hl7.org/fhir/R4/http.html
//
// Threading: every call is synchronous and may block on the database, so it must never run on
// an HTTP I/O thread; callers run it on worker threads. A Store is thread-safe: concurrent calls
// each take their own pooled connection. A Transaction belongs to the thread running the
// RunInTransaction callback and must not escape it.
//
// Stored JSON is returned byte-for-byte as accepted (numbers keep their text, extensions and
// member order kept) except `id`, `meta.versionId` and `meta.lastUpdated`, which the store sets.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/store/store_status.h"

namespace workwell::store {

// One stored version of a resource (or a deletion marker).
struct ResourceVersion {
  std::string type;
  std::string id;
  int64_t version = 0;             // meta.versionId as a number
  std::string last_updated;        // meta.lastUpdated, a FHIR instant
  int64_t last_updated_micros = 0;
  bool deleted = false;            // a deletion marker: `json` is empty
  std::string method;              // the interaction that made it: "POST", "PUT" or "DELETE"
  std::string json;                // the exact stored resource

  // The weak ETag of this version: W/"3". https://hl7.org/fhir/R4/http.html#versioning
  std::string ETag() const;
  // "Patient/123/_history/3", for Location and Content-Location headers.
  std::string VersionedLocation() const;
};

// The ETag W/"n" for version `n`.
std::string MakeETag(int64_t version);

// The version an If-Match header names: `W/"3"`, `"3"` or `3`; nullopt when malformed.
std::optional<int64_t> ParseETag(std::string_view header);

// True when `id` is a valid FHIR id: [A-Za-z0-9\-\.]{1,64}. https://hl7.org/fhir/R4/datatypes.html#id
bool IsValidId(std::string_view id);

// A new server-assigned id: a random UUID v4 in lower-case hex. Thread-safe.
std::string NewResourceId();

// The result of a create or update.
struct WriteOutcome {
  ResourceVersion resource;
  // True when a new resource was made (201 Created); false for an update, or a conditional
  // create that found its match (200 OK, `resource` is the match).
  bool created = false;
};

struct CreateOptions {
  // If-None-Exist: a search query string such as "identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919".
  // Empty: unconditional. One match: nothing is written and the match is returned; several:
  // kMultipleMatches. https://hl7.org/fhir/R4/http.html#ccreate
  std::string if_none_exist;
  // The id to give the new resource. Empty (the REST default): a new UUID; any id in the body
  // is replaced. Set by transaction Bundle processing, which assigns ids before writing.
  std::string assigned_id;
};

struct UpdateOptions {
  // If-Match: the version the client last saw; another current version is kVersionConflict.
  std::optional<int64_t> if_match;
};

struct DeleteOptions {
  std::optional<int64_t> if_match;
};

// Decoded query parameters in request order, e.g. {{"patient", "123"}, {"_count", "10"}}.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Splits and percent-decodes a query string ("a=1&b=x%7Cy", with or without a leading '?').
// kInvalid for a malformed %-escape.
StoreResult<QueryParams> ParseQueryString(std::string_view query);

// Encodes parameters as a query string, escaping what must be escaped.
std::string EncodeQueryString(const QueryParams& params);

// A search. Supported: the declared parameters (see search_params.h) with prefixes on dates
// (eq ne gt lt ge le sa eb), token forms (code, system|code, |code, system|), reference forms
// (id, Type/id, absolute URL) with a :Type modifier, chained identifier on references
// (patient.identifier=, subject:Patient.identifier=), comma for OR, repetition for AND; _id,
// _lastUpdated; _count (default 20, max 1000); _sort on date parameters and _lastUpdated (asc, or
// "-" for desc; ties by id); _include=Type:param[:Target]; _total is accepted. Paging uses the
// store's own _offset parameter, so next/prev queries are stable for the same data.
struct SearchRequest {
  QueryParams params;
  // true: an unknown parameter is kInvalid (Prefer: handling=strict). false: it is ignored and
  // listed in SearchPage::ignored. https://hl7.org/fhir/R4/search.html#errors
  bool strict = true;
};

struct SearchPage {
  std::vector<ResourceVersion> matches;   // search.mode = match
  std::vector<ResourceVersion> includes;  // search.mode = include
  int64_t total = 0;                      // all matches, not just this page
  std::string self_query;                 // the canonical query of this page
  std::optional<std::string> next_query;  // absent on the last page
  std::optional<std::string> prev_query;  // absent on the first page
  std::vector<std::string> ignored;       // parameters ignored under lenient handling
};

struct HistoryRequest {
  size_t count = 50;
  size_t offset = 0;
  std::optional<int64_t> since_micros;  // _since: only versions at or after this instant
};

struct HistoryPage {
  std::vector<ResourceVersion> versions;  // newest first
  int64_t total = 0;
  std::optional<size_t> next_offset;
  std::optional<size_t> prev_offset;
};

// A message for the delivery outbox, written in the same transaction as the data it announces.
struct OutboxMessage {
  std::string destination;  // where the delivery module sends it (an endpoint or route name)
  std::string payload;      // what to send (normally JSON)
  std::string key;          // correlation (e.g. the case id), for logs and dead-letter review
  std::optional<int64_t> not_before_micros;  // earliest delivery time; now when absent
};

// One outbox entry as stored.
struct OutboxEntry {
  int64_t id = 0;
  std::string destination;
  std::string payload;
  std::string key;
  std::string state;         // "pending", "claimed", "done" or "dead"
  int64_t attempts = 0;      // claims so far; the current claim's token
  int64_t created_micros = 0;
  int64_t available_micros = 0;
  std::string claimed_by;
  std::string last_error;
};

struct ClaimRequest {
  std::string worker;        // who claims (instance id), recorded for operators
  size_t max_entries = 16;
  int64_t lease_micros = 60'000'000;  // after this an unfinished claim may be claimed again
};

// The work inside one database transaction: every call sees the writes made before it, and all
// of them commit together or not at all. Only valid inside Store::RunInTransaction.
class Transaction {
 public:
  virtual ~Transaction() = default;
  // Creates a resource (`resource` is a resource object with resourceType). kInvalid for a
  // resource without resourceType or a bad If-None-Exist; kMultipleMatches for a conditional
  // create that matched several.
  virtual StoreResult<WriteOutcome> Create(const json::Value& resource, const CreateOptions& options = {}) = 0;
  // Updates the resource with `resource`'s id, or creates it with that id if absent and the
  // store allows update-as-create (else kNotFound). A deleted resource is brought back with the
  // next version. kVersionConflict on a stale If-Match.
  virtual StoreResult<WriteOutcome> Update(const json::Value& resource, const UpdateOptions& options = {}) = 0;
  // Deletes; the history keeps a deletion marker. Deleting a deleted resource returns its
  // marker again; an unknown one is kNotFound.
  virtual StoreResult<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                              const DeleteOptions& options = {}) = 0;
  // The current version; kNotFound, or kGone when it is deleted.
  virtual StoreResult<ResourceVersion> Read(std::string_view type, std::string_view id) = 0;
  // One version; kNotFound when there is no such version. A deletion marker comes back with
  // deleted set (the REST layer answers 410).
  virtual StoreResult<ResourceVersion> VRead(std::string_view type, std::string_view id, int64_t version) = 0;
  // The versions of one resource, newest first. kNotFound for an unknown resource.
  virtual StoreResult<HistoryPage> History(std::string_view type, std::string_view id,
                                           const HistoryRequest& request = {}) = 0;
  virtual StoreResult<SearchPage> Search(std::string_view type, const SearchRequest& request) = 0;
  // Adds an outbox entry; returns its id.
  virtual StoreResult<int64_t> Enqueue(const OutboxMessage& message) = 0;
};

// What RunInTransaction intends: kRead takes no write lock.
enum class Access { kRead, kWrite };

// A store's fixed facts, for the CapabilityStatement and logs.
struct StoreInfo {
  std::string backend;     // "sqlite" or "postgres"
  int schema_version = 0;
  bool update_create = false;  // CapabilityStatement.rest.resource.updateCreate
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `work` in one transaction: commits when it returns ok, rolls back otherwise and
  // returns its status. On kTransient or kConflict (a concurrent writer won) the whole of
  // `work` runs again, a few times, so `work` must have no effects outside the Transaction.
  virtual StoreStatus RunInTransaction(const std::function<StoreStatus(Transaction&)>& work,
                                       Access access = Access::kWrite) = 0;

  // Claims up to `max_entries` due outbox entries (pending and due, or claimed with an expired
  // lease) for `worker`. Several instances may claim at once; each entry goes to exactly one.
  virtual StoreResult<std::vector<OutboxEntry>> ClaimOutbox(const ClaimRequest& request) = 0;
  // Marks a claimed entry delivered. `attempt` is the entry's attempts at claim time; if the
  // claim was lost (lease expired and re-claimed) this is kVersionConflict and nothing changes.
  virtual StoreStatus CompleteOutbox(int64_t id, int64_t attempt) = 0;
  // Records a failed delivery: pending again at `retry_at_micros`, or dead-lettered when absent.
  // kVersionConflict when the claim was lost, as for CompleteOutbox.
  virtual StoreStatus FailOutbox(int64_t id, int64_t attempt, std::string_view error,
                                 std::optional<int64_t> retry_at_micros) = 0;
  // Dead-lettered entries, oldest first.
  virtual StoreResult<std::vector<OutboxEntry>> ListDeadLetters(size_t limit) = 0;
  // Puts a dead-lettered entry back to pending (an operator's retry). kNotFound if not dead.
  virtual StoreStatus RequeueDeadLetter(int64_t id) = 0;
  // Puts every entry claimed by `worker` back to pending, for a worker starting again after it
  // stopped without finishing (a crash): its claims need not wait for their leases. Only for a
  // worker name no other running process uses. Returns how many were released.
  virtual StoreResult<int64_t> ReleaseOutboxClaims(std::string_view worker) = 0;
  // One outbox entry in any state; kNotFound when there is none with `id`.
  virtual StoreResult<OutboxEntry> ReadOutboxEntry(int64_t id) = 0;
  // How many outbox entries are in each state ("pending", "claimed", "done", "dead"); states
  // with none are absent. For queue-depth metrics.
  virtual StoreResult<std::vector<std::pair<std::string, int64_t>>> CountOutbox() = 0;

  virtual StoreInfo info() const = 0;

  // Single interactions, each its own transaction (see Transaction for meanings).
  StoreResult<WriteOutcome> Create(const json::Value& resource, const CreateOptions& options = {});
  StoreResult<WriteOutcome> Update(const json::Value& resource, const UpdateOptions& options = {});
  StoreResult<ResourceVersion> Delete(std::string_view type, std::string_view id, const DeleteOptions& options = {});
  StoreResult<ResourceVersion> Read(std::string_view type, std::string_view id);
  StoreResult<ResourceVersion> VRead(std::string_view type, std::string_view id, int64_t version);
  StoreResult<HistoryPage> History(std::string_view type, std::string_view id, const HistoryRequest& request = {});
  StoreResult<SearchPage> Search(std::string_view type, const SearchRequest& request);
};

// The clock the store stamps meta.lastUpdated and outbox times with: microseconds since the epoch.
using Clock = std::function<int64_t()>;

// The system clock as a Clock.
int64_t SystemMicros();

// Options common to both backends.
struct StoreOptions {
  // PUT of an unknown id creates it (FHIR updateCreate). https://hl7.org/fhir/R4/http.html#upsert
  bool update_create = true;
  size_t pool_size = 4;
  int max_retries = 8;  // re-runs of a transaction after kTransient/kConflict
  Clock clock = SystemMicros;
};

}  // namespace workwell::store

#pragma once
// Bundles at the store's edge: processing a transaction Bundle all-or-nothing, and rendering
// searchset, history and transaction-response Bundles around stored JSON (embedded verbatim,
// never re-parsed). https://hl7.org/fhir/R4/http.html#transaction

#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/store/store.h"

namespace workwell::store {

// One entry's outcome, in the request Bundle's entry order.
struct BundleEntryResponse {
  std::string status;         // "201 Created", "200 OK", "204 No Content"
  std::string location;       // "Patient/1/_history/1" (empty for deletes)
  std::string etag;           // W/"1"
  std::string last_modified;  // FHIR instant
  std::string resource_json;  // the stored resource; empty for deletes
};

struct TransactionResponse {
  std::vector<BundleEntryResponse> entries;
};

// Processes a parsed transaction Bundle (its root object) in one store transaction. Supported
// entries: POST (with ifNoneExist), PUT Type/id (with ifMatch), DELETE Type/id (with ifMatch).
// They run in the spec's order (DELETE, POST, PUT); POSTed resources get new ids first and every
// `reference` to an entry's urn:uuid fullUrl is rewritten to Type/id, so resources may refer to
// each other. Any failure rolls everything back; the status names the entry
// ("Bundle.entry[2]: ..."). kInvalid for a Bundle that is not a well-formed transaction.
StoreResult<TransactionResponse> ProcessTransaction(Store& store, const json::Value& bundle);

// As ProcessTransaction, but inside a transaction the caller runs, so that other writes (a case's
// Task and its outbox message) commit or roll back with the Bundle's. New resource ids are drawn
// on each call, so a re-run of the caller's transaction gets fresh ones.
StoreResult<TransactionResponse> ApplyTransaction(Transaction& tx, const json::Value& bundle);

// The transaction-response Bundle for `response`.
std::string RenderTransactionResponse(const TransactionResponse& response);

// A searchset Bundle: total, self/next/prev links (`base_url` is the FHIR base without a
// trailing slash), matches then includes with their search.mode.
std::string RenderSearchBundle(const SearchPage& page, std::string_view base_url, std::string_view type);

// A history Bundle for one resource, newest version first; deletions carry no resource.
// Paging links use _count and the store's _offset.
std::string RenderHistoryBundle(const HistoryPage& page, std::string_view base_url, std::string_view type,
                                std::string_view id);

}  // namespace workwell::store

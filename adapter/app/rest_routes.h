#pragma once
// The FHIR RESTful API over the store: create, read, vread, update, delete, history, search-type
// and transaction, for every resource type the store indexes plus the WorkWell core types.
// https://hl7.org/fhir/R4/http.html
//
// Every resource written (alone or in a transaction Bundle) is first parsed against the R4 model
// and validated (base definition + meta.profile): a body that is not a well-formed resource of the
// route's type answers 400, one the validator rejects answers 422 with the OperationOutcome naming
// the element; nothing is stored in either case. Handlers block on the store and run on the
// server's worker threads.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/api/router.h"
#include "adapter/common/status.h"
#include "adapter/store/store.h"
#include "adapter/validation/validator.h"

namespace workwell::app {

// The resource types served: the store's indexed types and the WorkWell core types, sorted.
std::vector<std::string> RestResourceTypes();

// The search parameters advertised for `type`: the store's declared ones and the common _id and
// _lastUpdated, with their FHIR type codes.
std::vector<api::SearchParam> RestSearchParams(std::string_view type);

// Registers the interactions on `router`:
//   POST /[type]                        create (If-None-Exist: conditional create)
//   GET  /[type]                        search-type
//   GET  /[type]/[id]                   read
//   PUT  /[type]/[id]                   update (If-Match)
//   DELETE /[type]/[id]                 delete (If-Match)
//   GET  /[type]/[id]/_history          history-instance
//   GET  /[type]/[id]/_history/[vid]    vread
//   POST /                              transaction
// The handlers share `store` and `validator` (both thread-safe), which live as long as the
// routes. Status as for api::Router::Add.
common::Status AddRestRoutes(api::Router& router, std::shared_ptr<store::Store> store,
                             std::shared_ptr<const validation::Validator> validator);

// An HTTP-date (RFC 9110 section 5.6.7) for `micros` since the epoch: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(int64_t micros);

}  // namespace workwell::app

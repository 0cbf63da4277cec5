#pragma once
// StoreStatus and StoreResult<T>: the outcome of a store operation. The codes are the distinct
// answers the FHIR REST layer must give (not found, gone, version conflict, ...), so each maps
// to one HTTP status with HttpStatus(). https://hl7.org/fhir/R4/http.html

#include <string>
#include <utility>
#include <variant>

#include "adapter/common/status.h"

namespace workwell::store {

enum class StoreCode {
  kOk,
  kInvalid,          // the request cannot be used: bad search parameter, bad Bundle (400)
  kNotFound,         // no such resource or version (404)
  kGone,             // the resource's current version is a deletion (410)
  kVersionConflict,  // If-Match named a version that is not the current one (412)
  kMultipleMatches,  // a conditional create/update matched more than one resource (412)
  kConflict,         // a write collided with another that won; retrying may succeed (409)
  kTransient,        // serialisation failure, deadlock or busy database: retry the whole unit (503)
  kUnavailable,      // the database cannot be reached (503)
  kInternal,         // schema mismatch, corrupt data, a bug (500)
};

// The lower-case name of `code` ("version_conflict", ...), for logs and OperationOutcomes.
const char* StoreCodeName(StoreCode code);

// The HTTP status the REST layer answers for `code` (200 for kOk).
int HttpStatus(StoreCode code);

// The FHIR IssueType code for an OperationOutcome describing `code` ("not-found", "conflict", ...).
// https://hl7.org/fhir/R4/valueset-issue-type.html
const char* IssueTypeFor(StoreCode code);

// Ok, or a StoreCode with a message. Cheap to copy when ok.
class [[nodiscard]] StoreStatus {
 public:
  StoreStatus() = default;
  StoreStatus(StoreCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static StoreStatus Ok() { return StoreStatus(); }
  bool ok() const { return code_ == StoreCode::kOk; }
  StoreCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True for failures a retry of the whole unit of work may cure (kTransient, kConflict).
  bool retryable() const { return code_ == StoreCode::kTransient || code_ == StoreCode::kConflict; }
  // "version_conflict: message", or "ok".
  std::string ToString() const;
  // The nearest common::Status, for callers that only log or propagate.
  common::Status ToStatus() const;

 private:
  StoreCode code_ = StoreCode::kOk;
  std::string message_;
};

// A value or the StoreStatus that explains why there is none. Never holds an ok status.
template <typename T>
using StoreResult = common::BasicResult<T, StoreStatus>;

}  // namespace workwell::store

#include "adapter/store/store_status.h"

namespace workwell::store {

const char* StoreCodeName(StoreCode code) {
  switch (code) {
    case StoreCode::kOk: return "ok";
    case StoreCode::kInvalid: return "invalid";
    case StoreCode::kNotFound: return "not_found";
    case StoreCode::kGone: return "gone";
    case StoreCode::kVersionConflict: return "version_conflict";
    case StoreCode::kMultipleMatches: return "multiple_matches";
    case StoreCode::kConflict: return "conflict";
    case StoreCode::kTransient: return "transient";
    case StoreCode::kUnavailable: return "unavailable";
    case StoreCode::kInternal: return "internal";
  }
  return "unknown";
}

int HttpStatus(StoreCode code) {
  switch (code) {
    case StoreCode::kOk: return 200;
    case StoreCode::kInvalid: return 400;
    case StoreCode::kNotFound: return 404;
    case StoreCode::kGone: return 410;
    case StoreCode::kVersionConflict: return 412;
    case StoreCode::kMultipleMatches: return 412;
    case StoreCode::kConflict: return 409;
    case StoreCode::kTransient: return 503;
    case StoreCode::kUnavailable: return 503;
    case StoreCode::kInternal: return 500;
  }
  return 500;
}

const char* IssueTypeFor(StoreCode code) {
  switch (code) {
    case StoreCode::kOk: return "informational";
    case StoreCode::kInvalid: return "invalid";
    case StoreCode::kNotFound: return "not-found";
    case StoreCode::kGone: return "deleted";
    case StoreCode::kVersionConflict: return "conflict";
    case StoreCode::kMultipleMatches: return "multiple-matches";
    case StoreCode::kConflict: return "conflict";
    case StoreCode::kTransient: return "transient";
    case StoreCode::kUnavailable: return "transient";
    case StoreCode::kInternal: return "exception";
  }
  return "exception";
}

std::string StoreStatus::ToString() const {
  if (ok()) return "ok";
  return std::string(StoreCodeName(code_)) + ": " + message_;
}

common::Status StoreStatus::ToStatus() const {
  using common::StatusCode;
  switch (code_) {
    case StoreCode::kOk: return common::Status::Ok();
    case StoreCode::kInvalid: return {StatusCode::kInvalidArgument, message_};
    case StoreCode::kNotFound:
    case StoreCode::kGone: return {StatusCode::kNotFound, message_};
    case StoreCode::kVersionConflict:
    case StoreCode::kMultipleMatches: return {StatusCode::kFailedPrecondition, message_};
    case StoreCode::kConflict: return {StatusCode::kAlreadyExists, message_};
    case StoreCode::kTransient:
    case StoreCode::kUnavailable: return {StatusCode::kUnavailable, message_};
    case StoreCode::kInternal: return {StatusCode::kInternal, message_};
  }
  return {StatusCode::kInternal, message_};
}

}  // namespace workwell::store

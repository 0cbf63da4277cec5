#include "adapter/api/response.h"

#include <utility>

namespace workwell::api {

Response Response::Resource(int status, std::string json_body) {
  Response r;
  r.status = status;
  r.body = std::move(json_body);
  return r;
}

Response Response::Outcome(int status, fhir::Severity severity, std::string_view code,
                           std::string_view text) {
  return Resource(status, fhir::SingleIssueOutcome(severity, code, text));
}

HttpError HttpErrorFor(common::StatusCode code) {
  using common::StatusCode;
  switch (code) {
    case StatusCode::kOk: return {200, "informational"};
    case StatusCode::kInvalidArgument: return {400, "invalid"};
    case StatusCode::kNotFound: return {404, "not-found"};
    case StatusCode::kAlreadyExists: return {409, "duplicate"};
    case StatusCode::kFailedPrecondition: return {412, "conflict"};
    case StatusCode::kResourceExhausted: return {413, "too-costly"};
    case StatusCode::kUnavailable: return {503, "transient"};
    case StatusCode::kDeadlineExceeded: return {504, "timeout"};
    case StatusCode::kPermissionDenied: return {403, "forbidden"};
    case StatusCode::kUnauthenticated: return {401, "login"};
    case StatusCode::kInternal: return {500, "exception"};
  }
  return {500, "exception"};
}

Response Response::FromStatus(const common::Status& status) {
  const HttpError e = HttpErrorFor(status.code());
  const std::string_view text = status.code() == common::StatusCode::kInternal
                                    ? std::string_view("internal error")
                                    : std::string_view(status.message());
  return Outcome(e.status, fhir::Severity::kError, e.issue_code, text);
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

}  // namespace workwell::api

#pragma once
// The HTTP response a handler returns. The server adds Content-Length, Connection,
// X-Request-Id and X-Correlation-Id; the dispatcher fills Content-Type when it is left empty.

#include <string>
#include <string_view>

#include "adapter/api/request.h"
#include "adapter/common/status.h"
#include "adapter/fhir/issue.h"

namespace workwell::api {

// Media types the gateway speaks.
inline constexpr std::string_view kFhirJson = "application/fhir+json; charset=utf-8";
inline constexpr std::string_view kPlainJson = "application/json; charset=utf-8";

// One HTTP response. Plain data.
struct Response {
  int status = 200;
  // Empty means "the negotiated FHIR JSON type" (see Dispatcher).
  std::string content_type;
  Fields headers;  // extra headers (Location, ETag, Allow, ...)
  std::string body;
  // The authenticated client that made the request, filled by the dispatcher for the access log
  // (who did what); never sent to the client.
  std::string client_id;

  // A response carrying a FHIR resource serialised as JSON.
  static Response Resource(int status, std::string json_body);
  // A response with an OperationOutcome holding one issue.
  // https://hl7.org/fhir/R4/http.html#ops
  static Response Outcome(int status, fhir::Severity severity, std::string_view code,
                          std::string_view text);
  // An OperationOutcome response for a failed Status (must not be ok): the code picks the HTTP
  // status (InvalidArgument 400, NotFound 404, Unavailable 503, ...). Internal errors do not echo
  // their message to the client.
  static Response FromStatus(const common::Status& status);
};

// The HTTP status and IssueType code used for a Status code.
struct HttpError {
  int status;
  std::string_view issue_code;
};
HttpError HttpErrorFor(common::StatusCode code);

// The reason phrase for a status ("Not Found"), or "" when unknown.
std::string_view ReasonPhrase(int status);

}  // namespace workwell::api

#pragma once
// The HTTP request as route handlers see it: no Beast types, decoded path and query, lower-case
// header names. Built by the server for each request; handlers get it by const reference and may
// be called on any worker thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/security/principal.h"

namespace workwell::api {

// An ordered list of name/value pairs (header names are stored lower-case).
using Fields = std::vector<std::pair<std::string, std::string>>;

// One HTTP request after parsing. Plain data; not thread-safe for concurrent mutation.
struct Request {
  std::string method;       // "GET", "POST", ... as sent (methods are case-sensitive)
  std::string target;       // the raw request-target, e.g. "/Patient?name=smith"
  std::string path;         // percent-decoded path, no query, e.g. "/Patient/123"
  Fields query;             // percent-decoded query parameters in order ("+" means space)
  Fields headers;           // names lower-case, values as sent
  std::string body;
  std::string request_id;      // X-Request-Id: echoed or generated
  std::string correlation_id;  // X-Correlation-Id: echoed or generated
  std::string peer;            // "address:port" of the client
  Fields path_params;          // filled by the router: "type" -> "Patient", "id" -> "123", ...
  // The verified TLS client certificate (mutual TLS), both "" when there is none.
  std::string client_cert_sha256;   // SHA-256 fingerprint, lower-case hex
  std::string client_cert_subject;  // RFC 2253
  // The authenticated caller, set by the dispatcher before the handler runs when an
  // Authenticator is installed and the route is not public; nullopt otherwise.
  std::optional<security::Principal> principal;

  // The first header named `name` (any case), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The first query parameter named `name` (exact case), or nullopt.
  std::optional<std::string_view> QueryParam(std::string_view name) const;
  // The path parameter `name` captured by the route pattern, or "" when the pattern has none.
  std::string_view PathParam(std::string_view name) const;
};

// Splits a request-target ("/a%20b?x=1&y") into a decoded path and decoded query parameters.
// Fails with InvalidArgument when the target is not origin-form ("/...") or holds a bad
// percent-escape. https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
common::Status ParseTarget(std::string_view target, std::string& path, Fields& query);

// Decodes %XX escapes (and "+" as space when `plus_is_space`). Returns false on a bad escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string& out);

// ASCII case-insensitive equality, for header names and media types.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace workwell::api

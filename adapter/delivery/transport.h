#pragma once
// The outbound transport: one POST of a message to a WorkWell service, answered through a
// callback with how the delivery went. The interface keeps cpprestsdk (the implementation in
// cpprest_transport.*) out of everything else, and lets tests substitute a fake.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/delivery/bars_message.h"

namespace workwell::delivery {

struct OutboundRequest {
  std::string url;  // the full URL, e.g. https://service.example.org/fhir/$process-message
  HeaderList headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // the whole exchange
  // The request Bundle's id: a response message must name it in MessageHeader.response.identifier.
  // Empty: not checked.
  std::string message_id;
};

// How one attempt ended.
enum class SendResult {
  kDelivered,  // 2xx, or the service says it already has the message (a duplicate)
  kTransient,  // timeout, connection refused/reset/closed, 408, 425, 429, 5xx: retry later
  kPermanent,  // any other 4xx (normally with an OperationOutcome), bad URL: dead letter
};

// "delivered", "transient", "permanent".
const char* SendResultName(SendResult result);

struct SendOutcome {
  SendResult result = SendResult::kTransient;
  int http_status = 0;                          // 0 when no response arrived
  std::string detail;                           // for logs and the dead-letter record
  std::optional<int64_t> retry_after_seconds;   // a Retry-After header in seconds, if any
};

// Classifies an HTTP answer: 2xx delivered; 409 whose OperationOutcome has an issue with code
// "duplicate" delivered; 408, 425, 429 and 5xx transient; other statuses permanent. `body`
// goes into the detail (the OperationOutcome's first diagnostics or details.text when present).
// A 2xx whose body is a response message (a Bundle whose first entry is a MessageHeader with a
// `response`) is checked further: response.identifier must equal `message_id` when that is given
// (else permanent: the service answered another message), and response.code decides — ok
// delivered, transient-error transient, fatal-error permanent.
// https://hl7.org/fhir/R4/messageheader-definitions.html#MessageHeader.response
SendOutcome ClassifyResponse(int status, std::string_view body, std::string_view message_id = {});

class Transport {
 public:
  virtual ~Transport() = default;
  // Starts sending `request`; `done` is called exactly once, on a thread of the transport's
  // choosing, and must not block. Never throws.
  virtual void Send(OutboundRequest request, std::function<void(SendOutcome)> done) = 0;
};

}  // namespace workwell::delivery

#pragma once
// BaRS-style FHIR messages for delivering a routed case to a WorkWell service: the request
// message Bundle, its HTTP headers, and the outbox envelope that carries both from the
// transaction that routes the case to the dispatcher that sends it.
// BaRS: POST /$process-message with a Bundle of type "message" whose first entry is a
// MessageHeader (https://hl7.org/fhir/R4/messaging.html, https://hl7.org/fhir/R4/messageheader.html).
//
// All functions are pure and thread-safe. Ids are stable: the same inputs give the same Bundle,
// so a retried delivery carries the message id the service has already seen.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"

namespace workwell::delivery {

inline constexpr std::string_view kBarsEventSystem = "https://fhir.nhs.uk/CodeSystem/message-events-bars";
inline constexpr std::string_view kBarsReasonSystem = "https://fhir.nhs.uk/CodeSystem/message-reason-bars";

// A name-based UUID: the same `name` always gives the same lower-case UUID (version 8, RFC 9562
// "custom", from two 64-bit FNV-1a hashes; not a cryptographic hash). For message ids that must
// survive retries and restarts.
std::string StableUuid(std::string_view name);

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; false for anything else.
bool Base64Decode(std::string_view text, std::string& out);

// A MessageHeader endpoint: source or destination.
struct MessageEndpoint {
  std::string name;
  std::string endpoint;  // URL
};

// What the request message says. `resources` are the case's parsed resources (Patient,
// ServiceRequest, Encounter, CarePlan, Organizations, Practitioner, PractitionerRole, Consent,
// HealthcareService, optional others), each with resourceType and id; they are copied.
struct BarsRequest {
  std::string message_id;          // the Bundle id; use StableUuid(<case key>)
  std::string timestamp;           // FHIR instant, from the caller's clock
  std::string reason = "new";      // new, update or delete
  MessageEndpoint source;
  MessageEndpoint destination;
  std::string sender_organization_id;    // id of the sending Organization among `resources`
  std::string receiver_organization_id;  // id of the receiving Organization among `resources`
  std::vector<const json::Value*> resources;
  // Empty: entries are urn:uuid:<id> and the header refers to them so. Otherwise the FHIR base
  // the resources are stored under (no trailing slash): entries are <base>/<Type>/<id>, the
  // header refers to Type/<id>, and the resources' own relative references resolve against it.
  std::string full_url_base;
};

// Builds the request message Bundle as JSON. Entries: the MessageHeader first (eventCoding
// servicerequest-request, reason, focus -> the ServiceRequest, sender/receiver, source/
// destination), then each resource with fullUrl "urn:uuid:<id>". References inside the
// resources are left as given. InvalidArgument when a resource the BaRS message definition
// requires is missing (Patient, ServiceRequest, Encounter, CarePlan, two Organizations,
// Practitioner, PractitionerRole, Consent, HealthcareService), when a resource lacks
// resourceType or id, or when the sender/receiver Organization is not among them.
common::Result<std::string> BuildBarsRequest(const BarsRequest& request);

// The headers of one delivery, other than X-Request-Id (new per attempt).
struct BarsHeaders {
  std::string correlation_id;         // X-Correlation-Id: the message id, stable across retries
  std::string target_system;          // NHSD-Target-Identifier {value, system}
  std::string target_value;
  std::string end_user_organisation;  // NHSD-End-User-Organisation: Organization JSON
  std::string requesting_software;    // NHSD-Requesting-Software: Device JSON
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The header list for `headers` and `request_id`, base64-encoding the NHSD-* values, plus
// Content-Type and Accept (application/fhir+json; version=1.0.0).
HeaderList MakeBarsHeaders(const BarsHeaders& headers, std::string_view request_id);

// The X-Request-Id of delivery attempt `attempt` of `message_id`: stable per attempt, distinct
// between attempts.
std::string AttemptRequestId(std::string_view message_id, int64_t attempt);

// An outbox payload: the headers and the Bundle text, so the dispatcher sends exactly what the
// routing transaction decided, however often it retries.
struct Envelope {
  BarsHeaders headers;
  std::string message_id;
  std::string bundle;  // the request Bundle JSON
};

// Serialises an envelope as JSON for store::OutboxMessage::payload.
std::string WriteEnvelope(const Envelope& envelope);
// Reads WriteEnvelope's output; InvalidArgument for anything else.
common::Result<Envelope> ReadEnvelope(std::string_view payload);

}  // namespace workwell::delivery

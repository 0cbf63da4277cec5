#include "adapter/delivery/bars_message.h"

#include <array>
#include <cstdio>
#include <map>

namespace workwell::delivery {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

uint64_t Fnv1a(std::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string_view Text(const json::Value& object, std::string_view key) {
  const json::Value* v = object.Find(key);
  return v != nullptr && v->IsString() ? v->text() : std::string_view();
}

// A reference to a resource of the message: urn:uuid:<id>, or Type/<id> when the entries carry
// server URLs (full_url_base), so that it resolves against the entry's fullUrl.
std::string EntryReference(const BarsRequest& request, std::string_view type, std::string_view id) {
  if (request.full_url_base.empty()) return "urn:uuid:" + std::string(id);
  return std::string(type) + "/" + std::string(id);
}

void Reference(json::Builder& b, std::string_view key, const std::string& reference) {
  b.Key(key).StartObject().Key("reference").String(reference).EndObject();
}

}  // namespace

std::string StableUuid(std::string_view name) {
  uint64_t hi = Fnv1a(name, 0xcbf29ce484222325ULL);
  uint64_t lo = Fnv1a(name, 0x84222325cbf29ce4ULL ^ hi);
  std::array<unsigned char, 16> bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x80);  // version 8
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool Base64Decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    uint32_t n = 0;
    for (int k = 0; k < 4; ++k) {
      int v = k >= 4 - pad ? 0 : value(text[i + k]);
      if (v < 0) return false;
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    out += static_cast<char>((n >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(n & 0xff);
  }
  return true;
}

common::Result<std::string> BuildBarsRequest(const BarsRequest& request) {
  if (request.message_id.empty() || request.timestamp.empty()) {
    return common::InvalidArgument("a BaRS message needs a message id and a timestamp");
  }
  if (request.reason != "new" && request.reason != "update" && request.reason != "delete") {
    return common::InvalidArgument("BaRS message reason must be new, update or delete, not " + request.reason);
  }
  if (request.source.endpoint.empty() || request.destination.endpoint.empty()) {
    return common::InvalidArgument("a BaRS message needs source and destination endpoints");
  }
  std::map<std::string, int> counts;
  std::string service_request_id;
  bool have_sender = false;
  bool have_receiver = false;
  for (const json::Value* resource : request.resources) {
    if (resource == nullptr || !resource->IsObject()) return common::InvalidArgument("a resource is not a JSON object");
    std::string type(Text(*resource, "resourceType"));
    std::string id(Text(*resource, "id"));
    if (type.empty() || id.empty()) return common::InvalidArgument("every resource needs resourceType and id");
    ++counts[type];
    if (type == "ServiceRequest" && service_request_id.empty()) service_request_id = id;
    if (type == "Organization" && id == request.sender_organization_id) have_sender = true;
    if (type == "Organization" && id == request.receiver_organization_id) have_receiver = true;
  }
  std::string missing;
  for (auto [type, min] : {std::pair<const char*, int>{"Patient", 1}, {"ServiceRequest", 1}, {"Encounter", 1},
                           {"CarePlan", 1}, {"Organization", 2}, {"Practitioner", 1}, {"PractitionerRole", 1},
                           {"Consent", 1}, {"HealthcareService", 1}}) {
    if (counts[type] < min) missing += std::string(missing.empty() ? "" : ", ") + type;
  }
  if (!missing.empty()) return common::InvalidArgument("the BaRS request message needs: " + missing);
  if (!have_sender) return common::InvalidArgument("the sender Organization is not among the resources");
  if (!have_receiver) return common::InvalidArgument("the receiver Organization is not among the resources");

  std::string header_id = StableUuid(request.message_id + "/MessageHeader");
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("resourceType").String("Bundle");
  b.Key("id").String(request.message_id);
  b.Key("meta").StartObject().Key("lastUpdated").String(request.timestamp).EndObject();
  b.Key("identifier").StartObject();
  b.Key("system").String("https://tools.ietf.org/html/rfc4122");
  b.Key("value").String(request.message_id);
  b.EndObject();
  b.Key("type").String("message");
  b.Key("timestamp").String(request.timestamp);
  b.Key("entry").StartArray();
  b.StartObject();
  b.Key("fullUrl").String("urn:uuid:" + header_id);
  b.Key("resource").StartObject();
  b.Key("resourceType").String("MessageHeader");
  b.Key("id").String(header_id);
  b.Key("eventCoding").StartObject();
  b.Key("system").String(kBarsEventSystem);
  b.Key("code").String("servicerequest-request");
  b.Key("display").String("ServiceRequest request");
  b.EndObject();
  b.Key("destination").StartArray().StartObject();
  if (!request.destination.name.empty()) b.Key("name").String(request.destination.name);
  b.Key("endpoint").String(request.destination.endpoint);
  Reference(b, "receiver", EntryReference(request, "Organization", request.receiver_organization_id));
  b.EndObject().EndArray();
  Reference(b, "sender", EntryReference(request, "Organization", request.sender_organization_id));
  b.Key("source").StartObject();
  if (!request.source.name.empty()) b.Key("name").String(request.source.name);
  b.Key("software").String("WorkWell FHIR gateway");
  b.Key("endpoint").String(request.source.endpoint);
  b.EndObject();
  b.Key("reason").StartObject().Key("coding").StartArray().StartObject();
  b.Key("system").String(kBarsReasonSystem);
  b.Key("code").String(request.reason);
  b.EndObject().EndArray().EndObject();
  b.Key("focus").StartArray().StartObject();
  b.Key("reference").String(EntryReference(request, "ServiceRequest", service_request_id));
  b.EndObject().EndArray();
  b.EndObject();  // resource
  b.EndObject();  // entry
  for (const json::Value* resource : request.resources) {
    b.StartObject();
    const std::string id(Text(*resource, "id"));
    b.Key("fullUrl").String(request.full_url_base.empty()
                                ? "urn:uuid:" + id
                                : request.full_url_base + "/" + std::string(Text(*resource, "resourceType")) + "/" + id);
    b.Key("resource").Raw(*resource);
    b.EndObject();
  }
  b.EndArray();
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

HeaderList MakeBarsHeaders(const BarsHeaders& headers, std::string_view request_id) {
  json::Document target;
  json::Builder b(target);
  b.StartObject().Key("value").String(headers.target_value).Key("system").String(headers.target_system).EndObject();
  b.Finish();
  HeaderList out = {
      {"Content-Type", "application/fhir+json"},
      {"Accept", "application/fhir+json; version=1.0.0"},
      {"X-Request-Id", std::string(request_id)},
      {"X-Correlation-Id", headers.correlation_id},
      {"NHSD-Target-Identifier", Base64Encode(json::Write(target.root()))},
  };
  if (!headers.end_user_organisation.empty()) {
    out.emplace_back("NHSD-End-User-Organisation", Base64Encode(headers.end_user_organisation));
  }
  if (!headers.requesting_software.empty()) {
    out.emplace_back("NHSD-Requesting-Software", Base64Encode(headers.requesting_software));
  }
  return out;
}

std::string AttemptRequestId(std::string_view message_id, int64_t attempt) {
  return StableUuid(std::string(message_id) + "/attempt/" + std::to_string(attempt));
}

std::string WriteEnvelope(const Envelope& envelope) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("messageId").String(envelope.message_id);
  b.Key("correlationId").String(envelope.headers.correlation_id);
  b.Key("targetSystem").String(envelope.headers.target_system);
  b.Key("targetValue").String(envelope.headers.target_value);
  b.Key("endUserOrganisation").String(envelope.headers.end_user_organisation);
  b.Key("requestingSoftware").String(envelope.headers.requesting_software);
  b.Key("bundle").String(envelope.bundle);
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

common::Result<Envelope> ReadEnvelope(std::string_view payload) {
  json::Document doc;
  json::ParseError error;
  if (!json::Parse(payload, json::Limits{}, doc, error)) {
    return common::InvalidArgument("outbox payload is not JSON: " + error.message);
  }
  const json::Value& root = doc.root();
  if (!root.IsObject()) return common::InvalidArgument("outbox payload is not a JSON object");
  Envelope e;
  struct Field {
    const char* key;
    std::string* out;
  };
  for (Field f : {Field{"messageId", &e.message_id}, Field{"correlationId", &e.headers.correlation_id},
                  Field{"targetSystem", &e.headers.target_system}, Field{"targetValue", &e.headers.target_value},
                  Field{"endUserOrganisation", &e.headers.end_user_organisation},
                  Field{"requestingSoftware", &e.headers.requesting_software}, Field{"bundle", &e.bundle}}) {
    const json::Value* v = root.Find(f.key);
    if (v == nullptr || !v->IsString()) {
      return common::InvalidArgument(std::string("outbox payload lacks the string ") + f.key);
    }
    *f.out = std::string(v->text());
  }
  if (e.message_id.empty() || e.bundle.empty()) return common::InvalidArgument("outbox payload has no message");
  return e;
}

}  // namespace workwell::delivery

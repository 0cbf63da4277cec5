#include "adapter/delivery/transport.h"

#include "adapter/common/json/json.h"

namespace workwell::delivery {
namespace {

// The OperationOutcome's issues: whether one is "duplicate", and the first human text.
void ReadOutcome(std::string_view body, bool& duplicate, std::string& text) {
  json::Document doc;
  json::ParseError error;
  json::Limits limits;
  limits.max_bytes = 1u << 20;
  if (!json::Parse(body, limits, doc, error)) return;
  const json::Value* type = doc.root().Find("resourceType");
  if (type == nullptr || type->text() != "OperationOutcome") return;
  const json::Value* issues = doc.root().Find("issue");
  if (issues == nullptr) return;
  for (const json::Value& issue : issues->items()) {
    const json::Value* code = issue.Find("code");
    if (code != nullptr && code->text() == "duplicate") duplicate = true;
    if (!text.empty()) continue;
    if (const json::Value* diagnostics = issue.Find("diagnostics"); diagnostics != nullptr) {
      text = std::string(diagnostics->text());
    } else if (const json::Value* details = issue.Find("details"); details != nullptr) {
      if (const json::Value* t = details->Find("text")) text = std::string(t->text());
    }
  }
}

// The MessageHeader.response of a response message: false when `body` is not one.
bool ReadResponse(std::string_view body, std::string& identifier, std::string& code) {
  json::Document doc;
  json::ParseError error;
  json::Limits limits;
  limits.max_bytes = 4u << 20;
  if (!json::Parse(body, limits, doc, error)) return false;
  const json::Value* type = doc.root().Find("resourceType");
  const json::Value* entries = doc.root().Find("entry");
  if (type == nullptr || type->text() != "Bundle" || entries == nullptr || entries->items().empty()) return false;
  const json::Value* header = entries->items()[0].Find("resource");
  if (header == nullptr) return false;
  const json::Value* response = header->Find("response");
  if (response == nullptr || !response->IsObject()) return false;
  if (const json::Value* id = response->Find("identifier")) identifier = std::string(id->text());
  if (const json::Value* c = response->Find("code")) code = std::string(c->text());
  return true;
}

}  // namespace

const char* SendResultName(SendResult result) {
  switch (result) {
    case SendResult::kDelivered: return "delivered";
    case SendResult::kTransient: return "transient";
    case SendResult::kPermanent: return "permanent";
  }
  return "transient";
}

SendOutcome ClassifyResponse(int status, std::string_view body, std::string_view message_id) {
  SendOutcome out;
  out.http_status = status;
  bool duplicate = false;
  std::string text;
  ReadOutcome(body, duplicate, text);
  out.detail = "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text);
  std::string response_id, response_code;
  if (status >= 200 && status < 300 && ReadResponse(body, response_id, response_code)) {
    out.detail += " response " + response_code;
    if (!message_id.empty() && response_id != message_id) {
      out.result = SendResult::kPermanent;
      out.detail += ": response.identifier " + response_id + " does not name message " + std::string(message_id);
    } else if (response_code == "ok") {
      out.result = SendResult::kDelivered;
    } else if (response_code == "transient-error") {
      out.result = SendResult::kTransient;
    } else {
      out.result = SendResult::kPermanent;
    }
  } else if (status >= 200 && status < 300) {
    out.result = SendResult::kDelivered;
  } else if (status == 409 && duplicate) {
    out.result = SendResult::kDelivered;
    out.detail += " (duplicate: already delivered)";
  } else if (status == 408 || status == 425 || status == 429 || status >= 500) {
    out.result = SendResult::kTransient;
  } else {
    out.result = SendResult::kPermanent;
  }
  return out;
}

}  // namespace workwell::delivery

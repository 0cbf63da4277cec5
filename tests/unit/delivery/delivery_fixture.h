#pragma once
// Shared test material: the resources of one routed case, and a BaRS envelope built from them.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/delivery/bars_message.h"

namespace workwell::delivery {

// Owns parsed resources of a case whose ids are prefixed with `key`.
class CaseResources {
 public:
  explicit CaseResources(const std::string& key) {
    Add(R"({"resourceType":"Patient","id":"%-pat","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]})", key);
    Add(R"({"resourceType":"ServiceRequest","id":"%-sr","status":"active","intent":"plan","subject":{"reference":"urn:uuid:%-pat"}})", key);
    Add(R"({"resourceType":"Encounter","id":"%-enc","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"}})", key);
    Add(R"({"resourceType":"CarePlan","id":"%-cp","status":"active","intent":"plan","subject":{"reference":"urn:uuid:%-pat"}})", key);
    Add(R"({"resourceType":"Organization","id":"%-gp","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"M85001"}]})", key);
    Add(R"({"resourceType":"Organization","id":"%-ww","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"QHL01"}]})", key);
    Add(R"({"resourceType":"Practitioner","id":"%-prac"})", key);
    Add(R"({"resourceType":"PractitionerRole","id":"%-role"})", key);
    Add(R"({"resourceType":"Consent","id":"%-consent","status":"active","scope":{"text":"direct care"},"category":[{"text":"referral"}]})", key);
    Add(R"({"resourceType":"HealthcareService","id":"%-hs","name":"WorkWell coaching"})", key);
  }

  std::vector<const json::Value*> Pointers() const {
    std::vector<const json::Value*> out;
    for (const auto& doc : docs_) out.push_back(&doc->root());
    return out;
  }

 private:
  void Add(std::string text, const std::string& key) {
    for (size_t at = text.find('%'); at != std::string::npos; at = text.find('%', at + key.size())) {
      text.replace(at, 1, key);
    }
    auto doc = std::make_unique<json::Document>();
    json::ParseError error;
    bool parsed = json::Parse(text, json::Limits{}, *doc, error);
    EXPECT_TRUE(parsed) << error.message << " in " << text;
    docs_.push_back(std::move(doc));
  }

  std::vector<std::unique_ptr<json::Document>> docs_;
};

inline BarsRequest MakeRequest(const std::string& key, const CaseResources& resources) {
  BarsRequest r;
  r.message_id = StableUuid("case/" + key);
  r.timestamp = "2026-03-10T09:30:00Z";
  r.source = {"WorkWell gateway", "https://gateway.example.org/fhir"};
  r.destination = {"WorkWell coaching", "https://qhl.workwell.example.org/fhir"};
  r.sender_organization_id = key + "-gp";
  r.receiver_organization_id = key + "-ww";
  r.resources = resources.Pointers();
  return r;
}

// An outbox payload for case `key`.
inline std::string MakePayload(const std::string& key) {
  CaseResources resources(key);
  BarsRequest request = MakeRequest(key, resources);
  auto bundle = BuildBarsRequest(request);
  EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
  Envelope e;
  e.message_id = request.message_id;
  e.bundle = bundle.ok() ? *bundle : "";
  e.headers.correlation_id = request.message_id;
  e.headers.target_system = "https://fhir.nhs.uk/Id/dos-service-id";
  e.headers.target_value = "2000001";
  e.headers.end_user_organisation = R"({"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"M85001"}]})";
  e.headers.requesting_software = R"({"resourceType":"Device","deviceName":[{"name":"WorkWell gateway","type":"manufacturer-name"}]})";
  return WriteEnvelope(e);
}

}  // namespace workwell::delivery

#include "adapter/delivery/bars_message.h"

#include <gtest/gtest.h>

#include "adapter/delivery/retry_policy.h"
#include "adapter/delivery/transport.h"
#include "tests/unit/delivery/delivery_fixture.h"

namespace workwell::delivery {
namespace {

json::Document ParseOrDie(const std::string& text) {
  json::Document doc;
  json::ParseError error;
  EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message;
  return doc;
}

TEST(BarsMessageTest, BundleIsAMessageWithTheMessageHeaderFirst) {
  CaseResources resources("c1");
  BarsRequest request = MakeRequest("c1", resources);
  auto built = BuildBarsRequest(request);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  json::Document doc = ParseOrDie(*built);
  const json::Value& bundle = doc.root();
  EXPECT_EQ(bundle.Find("resourceType")->text(), "Bundle");
  EXPECT_EQ(bundle.Find("type")->text(), "message");
  EXPECT_EQ(bundle.Find("id")->text(), request.message_id);
  const json::Value* entries = bundle.Find("entry");
  ASSERT_EQ(entries->items().size(), 11u);
  const json::Value* header = entries->items()[0].Find("resource");
  EXPECT_EQ(header->Find("resourceType")->text(), "MessageHeader");
  EXPECT_EQ(header->Find("eventCoding")->Find("system")->text(), kBarsEventSystem);
  EXPECT_EQ(header->Find("eventCoding")->Find("code")->text(), "servicerequest-request");
  EXPECT_EQ(header->Find("reason")->Find("coding")->items()[0].Find("code")->text(), "new");
  EXPECT_EQ(header->Find("focus")->items()[0].Find("reference")->text(), "urn:uuid:c1-sr");
  EXPECT_EQ(header->Find("sender")->Find("reference")->text(), "urn:uuid:c1-gp");
  const json::Value& destination = header->Find("destination")->items()[0];
  EXPECT_EQ(destination.Find("receiver")->Find("reference")->text(), "urn:uuid:c1-ww");
  EXPECT_EQ(destination.Find("endpoint")->text(), "https://qhl.workwell.example.org/fhir");
  EXPECT_EQ(header->Find("source")->Find("endpoint")->text(), "https://gateway.example.org/fhir");
  EXPECT_EQ(entries->items()[1].Find("fullUrl")->text(), "urn:uuid:c1-pat");
}

TEST(BarsMessageTest, SameCaseGivesTheSameMessage) {
  CaseResources resources("c2");
  auto a = BuildBarsRequest(MakeRequest("c2", resources));
  auto b = BuildBarsRequest(MakeRequest("c2", resources));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(StableUuid("x"), StableUuid("x"));
  EXPECT_NE(StableUuid("x"), StableUuid("y"));
  EXPECT_EQ(StableUuid("x").size(), 36u);
  EXPECT_EQ(StableUuid("x")[14], '8');
  EXPECT_NE(AttemptRequestId("m", 1), AttemptRequestId("m", 2));
}

TEST(BarsMessageTest, MissingRequiredResourcesAreNamed) {
  CaseResources resources("c3");
  BarsRequest request = MakeRequest("c3", resources);
  request.resources.erase(request.resources.begin() + 8);  // Consent
  request.resources.erase(request.resources.begin() + 4);  // one Organization (the GP)
  auto built = BuildBarsRequest(request);
  ASSERT_FALSE(built.ok());
  EXPECT_NE(built.status().message().find("Organization, Consent"), std::string::npos) << built.status().message();
}

TEST(BarsMessageTest, HeadersCarryBase64Json) {
  BarsHeaders h;
  h.correlation_id = "corr";
  h.target_system = "https://fhir.nhs.uk/Id/dos-service-id";
  h.target_value = "2000001";
  h.end_user_organisation = R"({"resourceType":"Organization"})";
  HeaderList list = MakeBarsHeaders(h, "req-1");
  auto find = [&](std::string_view name) {
    for (const auto& [n, v] : list) {
      if (n == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(find("X-Request-Id"), "req-1");
  EXPECT_EQ(find("X-Correlation-Id"), "corr");
  std::string decoded;
  ASSERT_TRUE(Base64Decode(find("NHSD-Target-Identifier"), decoded));
  EXPECT_EQ(decoded, R"({"value":"2000001","system":"https://fhir.nhs.uk/Id/dos-service-id"})");
  ASSERT_TRUE(Base64Decode(find("NHSD-End-User-Organisation"), decoded));
  EXPECT_EQ(decoded, h.end_user_organisation);
  EXPECT_EQ(find("NHSD-Requesting-Software"), "");
}

TEST(BarsMessageTest, Base64RoundTrips) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), back)) << s;
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  std::string out;
  EXPECT_FALSE(Base64Decode("Zm9", out));
  EXPECT_FALSE(Base64Decode("Zm9!", out));
}

TEST(BarsMessageTest, EnvelopeRoundTrips) {
  std::string payload = MakePayload("c4");
  auto envelope = ReadEnvelope(payload);
  ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
  EXPECT_EQ(envelope->message_id, StableUuid("case/c4"));
  EXPECT_EQ(envelope->headers.target_value, "2000001");
  EXPECT_FALSE(ReadEnvelope("{}").ok());
  EXPECT_FALSE(ReadEnvelope("not json").ok());
}

TEST(ClassifyTest, StatusesAndOperationOutcomes) {
  EXPECT_EQ(ClassifyResponse(200, "{}").result, SendResult::kDelivered);
  EXPECT_EQ(ClassifyResponse(503, "").result, SendResult::kTransient);
  EXPECT_EQ(ClassifyResponse(429, "").result, SendResult::kTransient);
  EXPECT_EQ(ClassifyResponse(408, "").result, SendResult::kTransient);
  SendOutcome bad = ClassifyResponse(
      400, R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"structure","diagnostics":"no MessageHeader"}]})");
  EXPECT_EQ(bad.result, SendResult::kPermanent);
  EXPECT_EQ(bad.detail, "HTTP 400: no MessageHeader");
  EXPECT_EQ(ClassifyResponse(409, R"({"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"duplicate"}]})").result,
            SendResult::kDelivered);
  EXPECT_EQ(ClassifyResponse(409, "").result, SendResult::kPermanent);
}

std::string ResponseMessage(std::string_view identifier, std::string_view code) {
  return R"({"resourceType":"Bundle","type":"message","entry":[{"resource":{"resourceType":"MessageHeader",)"
         R"("response":{"identifier":")" + std::string(identifier) + R"(","code":")" + std::string(code) + R"("}}}]})";
}

TEST(ClassifyTest, ResponseMessagesMustNameTheRequestAndSayOk) {
  EXPECT_EQ(ClassifyResponse(200, ResponseMessage("m1", "ok"), "m1").result, SendResult::kDelivered);
  SendOutcome other = ClassifyResponse(200, ResponseMessage("m2", "ok"), "m1");
  EXPECT_EQ(other.result, SendResult::kPermanent);
  EXPECT_NE(other.detail.find("does not name message m1"), std::string::npos) << other.detail;
  EXPECT_EQ(ClassifyResponse(200, ResponseMessage("m1", "transient-error"), "m1").result, SendResult::kTransient);
  EXPECT_EQ(ClassifyResponse(200, ResponseMessage("m1", "fatal-error"), "m1").result, SendResult::kPermanent);
  EXPECT_EQ(ClassifyResponse(200, ResponseMessage("m2", "ok")).result, SendResult::kDelivered);  // not checked
  EXPECT_EQ(ClassifyResponse(202, "", "m1").result, SendResult::kDelivered);  // no response message
}

TEST(RetryPolicyTest, ExponentialWithEqualJitterAndABudget) {
  RetryPolicy p;
  p.initial_backoff_micros = 1000;
  p.multiplier = 2;
  p.max_backoff_micros = 6000;
  p.max_attempts = 5;
  EXPECT_EQ(NextRetryDelay(p, 1, 0.0), 500);
  EXPECT_EQ(NextRetryDelay(p, 1, 0.999999), 999);
  EXPECT_EQ(NextRetryDelay(p, 2, 0.0), 1000);
  EXPECT_EQ(NextRetryDelay(p, 3, 1.0), 4000);
  EXPECT_EQ(NextRetryDelay(p, 4, 1.0), 6000);  // capped
  EXPECT_EQ(NextRetryDelay(p, 5, 0.5), std::nullopt);  // budget spent: dead letter
  p.max_backoff_micros = 10'000'000;
  EXPECT_EQ(NextRetryDelay(p, 1, 0.0, 3), 3'000'000);  // Retry-After raises the delay
}

TEST(RetryPolicyTest, ConcurrencyLimiterCountsPerDestination) {
  ConcurrencyLimiter limiter;
  EXPECT_TRUE(limiter.TryAcquire("a", 2));
  EXPECT_TRUE(limiter.TryAcquire("a", 2));
  EXPECT_FALSE(limiter.TryAcquire("a", 2));
  EXPECT_TRUE(limiter.TryAcquire("b", 1));
  EXPECT_EQ(limiter.TotalInFlight(), 3u);
  limiter.Release("a");
  EXPECT_TRUE(limiter.TryAcquire("a", 2));
  EXPECT_EQ(limiter.InFlight("a"), 2u);
}

}  // namespace
}  // namespace workwell::delivery

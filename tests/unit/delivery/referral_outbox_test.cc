#include "adapter/delivery/referral_outbox.h"

#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/delivery/delivery_fixture.h"

namespace workwell::delivery {
namespace {

std::shared_ptr<const routing::RoutingConfig> Shipped() {
  auto loaded = routing::LoadRoutingConfig(WORKWELL_SOURCE_DIR "/config/routing");
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return loaded.ok() ? *loaded : nullptr;
}

ReferralCase Referral(const std::string& key, const CaseResources& resources) {
  ReferralCase r;
  r.case_key = key;
  r.timestamp = "2026-03-10T09:30:00Z";
  r.source = {"WorkWell gateway", "https://gateway.example.org/fhir"};
  r.sender_organization_id = key + "-gp";
  r.receiver_organization_id = key + "-ww";
  r.resources = resources.Pointers();
  r.end_user_organisation = R"({"resourceType":"Organization"})";
  return r;
}

TEST(ReferralOutboxTest, MessageGoesToTheServiceWithItsTargetIdentifier) {
  auto config = Shipped();
  ASSERT_NE(config, nullptr);
  const routing::Service* service = config->FindService("qhl-msk");
  ASSERT_NE(service, nullptr);
  CaseResources resources("r1");
  auto message = MakeReferralMessage(*service, Referral("r1", resources));
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  EXPECT_EQ(message->destination, "qhl-msk");
  EXPECT_EQ(message->key, "r1");
  auto envelope = ReadEnvelope(message->payload);
  ASSERT_TRUE(envelope.ok());
  EXPECT_EQ(envelope->message_id, StableUuid("case/r1/new"));
  EXPECT_EQ(envelope->headers.target_system, service->identifier_system);
  EXPECT_EQ(envelope->headers.target_value, service->identifier_value);
  EXPECT_NE(envelope->bundle.find(service->endpoint), std::string::npos);

  // The same case again (a re-run transaction) gives the same message.
  auto again = MakeReferralMessage(*service, Referral("r1", resources));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->payload, message->payload);
}

TEST(ReferralOutboxTest, ResolverReadsCredentialsOnceAndNamesMissingOnes) {
  auto config = Shipped();
  ASSERT_NE(config, nullptr);
  auto none = MakeDestinationResolver(config, [](const char*) -> const char* { return nullptr; });
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("qhl-msk (WW_QHL_MSK_TOKEN)"), std::string::npos);

  auto resolver = MakeDestinationResolver(config, [](const char* name) -> const char* {
    return std::strcmp(name, "WW_QHL_MSK_TOKEN") == 0 ? "token-msk" : "token";
  });
  ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
  std::optional<Destination> d = (*resolver)("qhl-msk");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->url, "https://qhl-msk.workwell.example.org/fhir/$process-message");
  EXPECT_EQ(d->max_concurrency, 2u);
  ASSERT_EQ(d->extra_headers.size(), 1u);
  EXPECT_EQ(d->extra_headers[0].second, "Bearer token-msk");
  EXPECT_FALSE((*resolver)("nowhere").has_value());
}

}  // namespace
}  // namespace workwell::delivery

#include "adapter/api/content_negotiation.h"

#include <gtest/gtest.h>

#include "adapter/api/response.h"

namespace workwell::api {
namespace {

using std::nullopt;

std::optional<std::string_view> Accept(std::string_view accept) { return NegotiateResponseType(accept, nullopt); }
std::optional<std::string_view> Format(std::string_view format, std::optional<std::string_view> accept = nullopt) {
  return NegotiateResponseType(accept, format);
}

TEST(ContentNegotiationTest, ServesFhirJsonForJsonLikeAccepts) {
  EXPECT_EQ(NegotiateResponseType(nullopt, nullopt), kFhirJson);
  for (std::string_view a : {"", "*/*", "application/*", "application/fhir+json", "APPLICATION/FHIR+JSON",
                             "json", "application/fhir+json; fhirVersion=4.0", "application/fhir+json;fhirVersion=4.0.1",
                             "application/fhir+json; charset=utf-8",
                             "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                             "application/fhir+xml, application/fhir+json;q=0.5"}) {
    EXPECT_EQ(Accept(a), kFhirJson) << a;
  }
}

TEST(ContentNegotiationTest, PlainJsonWhenOnlyApplicationJsonIsAccepted) {
  EXPECT_EQ(Accept("application/json"), kPlainJson);
  EXPECT_EQ(Accept("application/json, application/fhir+json;q=0"), kPlainJson);
  EXPECT_EQ(Accept("application/json;q=0.5, application/fhir+json"), kFhirJson);
}

TEST(ContentNegotiationTest, RefusesWhatIsNotServed) {
  for (std::string_view a : {"application/fhir+xml", "application/xml", "text/xml", "text/html", "text/turtle",
                             "application/fhir+json; fhirVersion=3.0", "application/fhir+json;q=0",
                             "*/*;q=0", "image/*"}) {
    EXPECT_EQ(Accept(a), nullopt) << a;
  }
}

TEST(ContentNegotiationTest, FormatParameterOverridesAccept) {
  EXPECT_EQ(Format("json"), kFhirJson);
  EXPECT_EQ(Format("application/fhir+json"), kFhirJson);
  EXPECT_EQ(Format("application/fhir json"), kFhirJson) << "'+' decoded as a space";
  EXPECT_EQ(Format("application/json"), kPlainJson);
  EXPECT_EQ(Format("json", "application/xml"), kFhirJson);
  EXPECT_EQ(Format("xml"), nullopt);
  EXPECT_EQ(Format("xml", "application/fhir+json"), nullopt);
  EXPECT_EQ(Format("application/fhir+xml"), nullopt);
  EXPECT_EQ(Format("ttl"), nullopt);
}

TEST(ContentNegotiationTest, RequestMediaTypes) {
  const std::vector<std::string> json = {"application/fhir+json", "application/json"};
  EXPECT_TRUE(IsAllowedMediaType("application/fhir+json", json));
  EXPECT_TRUE(IsAllowedMediaType("Application/FHIR+JSON; charset=UTF-8", json));
  EXPECT_TRUE(IsAllowedMediaType(" application/json ;fhirVersion=4.0", json));
  EXPECT_FALSE(IsAllowedMediaType("application/fhir+xml", json));
  EXPECT_FALSE(IsAllowedMediaType("text/plain", json));
  EXPECT_FALSE(IsAllowedMediaType("", json));
  EXPECT_TRUE(IsAllowedMediaType("text/csv", {}));
  EXPECT_EQ(MediaTypeOf("Text/CSV; header=present"), "text/csv");
}

}  // namespace
}  // namespace workwell::api

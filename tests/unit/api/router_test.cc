#include "adapter/api/router.h"

#include <gtest/gtest.h>

#include "adapter/api/capability_statement.h"
#include "adapter/common/json/json.h"

namespace workwell::api {
namespace {

Handler Named(std::string name) {
  return [name](const Request&) { return Response::Resource(200, name); };
}

Route MakeRoute(std::string method, std::string pattern, std::vector<std::string> types = {},
                Capability cap = {}) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = Named(r.method + " " + r.pattern);
  r.resource_types = std::move(types);
  r.capability = std::move(cap);
  return r;
}

std::string Called(const RouteMatch& m) { return m.route->handler(Request{}).body; }

TEST(RouterTest, MatchesLiteralAndCaptureSegments) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/metadata")).ok());
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient", "Task"})).ok());
  ASSERT_TRUE(router.Add(MakeRoute("POST", "/[type]/$validate", {"Patient"})).ok());

  RouteMatch m = router.Match("GET", "/Patient/abc-1.2");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(Called(m), "GET /[type]/[id]");
  ASSERT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"type", "Patient"}));
  EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"id", "abc-1.2"}));

  m = router.Match("POST", "/Patient/$validate");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(Called(m), "POST /[type]/$validate");

  EXPECT_NE(router.Match("GET", "/metadata").route, nullptr);
}

TEST(RouterTest, TypeCaptureOnlyMatchesListedTypes) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient"})).ok());
  EXPECT_EQ(router.Match("GET", "/Observation/1").route, nullptr);
  EXPECT_TRUE(router.Match("GET", "/Observation/1").allowed.empty());
}

TEST(RouterTest, IdCaptureFollowsFhirIdRules) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient"})).ok());
  EXPECT_EQ(router.Match("GET", "/Patient/has space").route, nullptr);
  EXPECT_EQ(router.Match("GET", "/Patient/$everything").route, nullptr);
  EXPECT_EQ(router.Match("GET", "/Patient/" + std::string(65, 'a')).route, nullptr);
  EXPECT_NE(router.Match("GET", "/Patient/" + std::string(64, 'a')).route, nullptr);
}

TEST(RouterTest, MoreLiteralSegmentsWin) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[name]", {"Patient"})).ok());
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/Patient/$everything")).ok());
  const RouteMatch m = router.Match("GET", "/Patient/$everything");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(Called(m), "GET /Patient/$everything");
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient"})).ok());
  ASSERT_TRUE(router.Add(MakeRoute("PUT", "/[type]/[id]", {"Patient"})).ok());
  ASSERT_TRUE(router.Add(MakeRoute("DELETE", "/[type]/[id]", {"Patient"})).ok());
  const RouteMatch m = router.Match("POST", "/Patient/1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"DELETE", "GET", "PUT"}));
}

TEST(RouterTest, UnknownPathHasNoAllowedMethods) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/metadata")).ok());
  for (const char* path : {"/nothing", "/metadata/", "/metadata/x", "", "/", "//metadata"}) {
    const RouteMatch m = router.Match("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_TRUE(m.allowed.empty()) << path;
  }
}

TEST(RouterTest, RejectsBadRegistrations) {
  Router router;
  EXPECT_FALSE(router.Add(MakeRoute("get", "/x")).ok());
  EXPECT_FALSE(router.Add(MakeRoute("GET", "x")).ok());
  EXPECT_FALSE(router.Add(MakeRoute("GET", "/a//b")).ok());
  EXPECT_FALSE(router.Add(MakeRoute("GET", "/[type]/[id]")).ok()) << "[type] needs resource types";
  EXPECT_FALSE(router.Add(MakeRoute("GET", "/[type", {"Patient"})).ok());
  EXPECT_FALSE(router.Add(MakeRoute("GET", "/[type]", {"patient"})).ok());
  EXPECT_FALSE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient"}, Capability::Interaction("fetch"))).ok());
  EXPECT_FALSE(router.Add(MakeRoute("GET", "/x", {}, Capability::Interaction("read"))).ok())
      << "read is type-level";
  EXPECT_FALSE(router.Add(MakeRoute("POST", "/", {"Bundle"}, Capability::Interaction("transaction"))).ok())
      << "transaction is system-level";
  EXPECT_FALSE(router.Add(MakeRoute("POST", "/$x", {}, Capability::Operation("$x", "http://x"))).ok());
  EXPECT_FALSE(router.Add(MakeRoute("POST", "/$x", {}, Capability::Operation("x", ""))).ok());
  Route no_handler = MakeRoute("GET", "/y");
  no_handler.handler = nullptr;
  EXPECT_FALSE(router.Add(std::move(no_handler)).ok());
  EXPECT_TRUE(router.routes().empty());
}

TEST(RouterTest, RejectsDuplicatesButAllowsDisjointTypes) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient"})).ok());
  EXPECT_EQ(router.Add(MakeRoute("GET", "/[type]/[id]", {"Task", "Patient"})).code(),
            common::StatusCode::kAlreadyExists);
  EXPECT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Task"})).ok());
  EXPECT_TRUE(router.Add(MakeRoute("GET", "/metadata")).ok());
  EXPECT_EQ(router.Add(MakeRoute("GET", "/metadata")).code(), common::StatusCode::kAlreadyExists);
}

TEST(RouterTest, FrozenRouterRefusesRoutes) {
  Router router;
  router.Freeze();
  EXPECT_EQ(router.Add(MakeRoute("GET", "/metadata")).code(), common::StatusCode::kFailedPrecondition);
}

json::Document ParseOrDie(const std::string& text) {
  json::Document doc;
  json::ParseError error;
  EXPECT_TRUE(json::Parse(text, json::Limits{}, doc, error)) << error.message;
  return doc;
}

TEST(CapabilityStatementTest, ListsExactlyTheRegisteredCapabilities) {
  Router router;
  ASSERT_TRUE(AddMetadataRoute(router, {}).ok());
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/healthz")).ok());
  ASSERT_TRUE(router.Add(MakeRoute("POST", "/$translate", {},
                                   Capability::Operation("translate", "https://example.org/OperationDefinition/translate")))
                  .ok());
  Capability validate = Capability::Operation("validate", "http://hl7.org/fhir/OperationDefinition/Resource-validate");
  ASSERT_TRUE(router.Add(MakeRoute("POST", "/[type]/$validate", {"Patient", "Bundle"}, validate)).ok());
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/[type]/[id]", {"Patient"}, Capability::Interaction("read"))).ok());
  Capability search = Capability::Interaction("search-type");
  search.search_params.push_back({"identifier", "token", "", ""});
  ASSERT_TRUE(router.Add(MakeRoute("GET", "/Patient", {"Patient"}, search)).ok());

  CapabilityOptions options;
  options.date = "2025-01-01T00:00:00Z";
  json::Document doc = ParseOrDie(BuildCapabilityStatement(router, options));
  const json::Value& cs = doc.root();
  EXPECT_EQ(cs.Find("resourceType")->text(), "CapabilityStatement");
  EXPECT_EQ(cs.Find("fhirVersion")->text(), "4.0.1");
  EXPECT_EQ(cs.Find("status")->text(), "active");
  EXPECT_EQ(cs.Find("kind")->text(), "instance");
  EXPECT_EQ(cs.Find("date")->text(), "2025-01-01T00:00:00Z");
  EXPECT_EQ(cs.Find("software")->Find("version")->text(), WORKWELL_VERSION);
  EXPECT_EQ(cs.Find("format")->items()[0].text(), "application/fhir+json");
  const json::Value& rest = cs.Find("rest")->items()[0];
  EXPECT_EQ(rest.Find("mode")->text(), "server");

  const json::Value* ops = rest.Find("operation");
  ASSERT_NE(ops, nullptr);
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ(ops->items()[0].Find("name")->text(), "translate");

  const json::Value* resources = rest.Find("resource");
  ASSERT_NE(resources, nullptr);
  ASSERT_EQ(resources->size(), 2u);
  const json::Value& bundle = resources->items()[0];
  EXPECT_EQ(bundle.Find("type")->text(), "Bundle");
  EXPECT_EQ(bundle.Find("interaction"), nullptr);
  EXPECT_EQ(bundle.Find("operation")->items()[0].Find("name")->text(), "validate");
  const json::Value& patient = resources->items()[1];
  EXPECT_EQ(patient.Find("type")->text(), "Patient");
  ASSERT_EQ(patient.Find("interaction")->size(), 2u);
  EXPECT_EQ(patient.Find("interaction")->items()[0].Find("code")->text(), "read");
  EXPECT_EQ(patient.Find("interaction")->items()[1].Find("code")->text(), "search-type");
  EXPECT_EQ(patient.Find("searchParam")->items()[0].Find("name")->text(), "identifier");
  EXPECT_EQ(patient.Find("operation")->items()[0].Find("definition")->text(),
            "http://hl7.org/fhir/OperationDefinition/Resource-validate");
}

TEST(CapabilityStatementTest, EmptyRegistryHasNoResourcesOrOperations) {
  Router router;
  json::Document doc = ParseOrDie(BuildCapabilityStatement(router, {}));
  const json::Value& rest = doc.root().Find("rest")->items()[0];
  EXPECT_EQ(rest.Find("resource"), nullptr);
  EXPECT_EQ(rest.Find("operation"), nullptr);
  EXPECT_EQ(rest.Find("interaction"), nullptr);
}

}  // namespace
}  // namespace workwell::api

#include "adapter/api/dispatcher.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "adapter/api/health.h"

namespace workwell::api {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Route read;
    read.method = "GET";
    read.pattern = "/[type]/[id]";
    read.resource_types = {"Patient"};
    read.capability = Capability::Interaction("read");
    read.handler = [](const Request& r) {
      return Response::Resource(200, std::string(r.PathParam("type")) + "/" + std::string(r.PathParam("id")));
    };
    ASSERT_TRUE(router_.Add(std::move(read)).ok());

    Route create;
    create.method = "POST";
    create.pattern = "/[type]";
    create.resource_types = {"Patient"};
    create.capability = Capability::Interaction("create");
    create.handler = [](const Request& r) { return Response::Resource(201, r.body); };
    ASSERT_TRUE(router_.Add(std::move(create)).ok());

    Route translate;
    translate.method = "POST";
    translate.pattern = "/$translate";
    translate.request_media_types = {"text/csv"};
    translate.handler = [](const Request& r) { return Response::Resource(200, "csv"); };
    ASSERT_TRUE(router_.Add(std::move(translate)).ok());

    Route boom;
    boom.method = "GET";
    boom.pattern = "/boom";
    boom.handler = [](const Request&) -> Response { throw std::runtime_error("kaput"); };
    ASSERT_TRUE(router_.Add(std::move(boom)).ok());

    ASSERT_TRUE(health_.AddRoutes(router_).ok());
    router_.Freeze();
  }

  Response Send(std::string method, std::string path, Fields headers = {}, std::string body = {},
                Fields query = {}) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.headers = std::move(headers);
    r.body = std::move(body);
    r.query = std::move(query);
    return Dispatcher(router_).Handle(r);
  }

  static bool IsOutcome(const Response& r) {
    return r.body.find(R"("resourceType":"OperationOutcome")") != std::string::npos;
  }

  Router router_;
  Health health_;
};

TEST_F(DispatcherTest, CallsTheMatchedHandlerWithCaptures) {
  const Response r = Send("GET", "/Patient/p1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Patient/p1");
  EXPECT_EQ(r.content_type, kFhirJson);
}

TEST_F(DispatcherTest, UnknownRouteIs404Outcome) {
  const Response r = Send("GET", "/Nothing/here");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(IsOutcome(r));
  EXPECT_EQ(r.content_type, kFhirJson);
}

TEST_F(DispatcherTest, WrongMethodIs405WithAllow) {
  const Response r = Send("DELETE", "/Patient/p1");
  EXPECT_EQ(r.status, 405);
  EXPECT_TRUE(IsOutcome(r));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
}

TEST_F(DispatcherTest, XmlIs406) {
  Response r = Send("GET", "/Patient/p1", {{"accept", "application/fhir+xml"}});
  EXPECT_EQ(r.status, 406);
  EXPECT_TRUE(IsOutcome(r));
  r = Send("GET", "/Patient/p1", {}, {}, {{"_format", "xml"}});
  EXPECT_EQ(r.status, 406);
}

TEST_F(DispatcherTest, PlainJsonAcceptGetsApplicationJson) {
  const Response r = Send("GET", "/Patient/p1", {{"accept", "application/json"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kPlainJson);
}

TEST_F(DispatcherTest, NonJsonBodyIs415) {
  Response r = Send("POST", "/Patient", {{"content-type", "application/fhir+xml"}}, "<Patient/>");
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(IsOutcome(r));
  r = Send("POST", "/Patient", {}, "{}");
  EXPECT_EQ(r.status, 415) << "a body without Content-Type";
  r = Send("POST", "/Patient", {{"content-type", "application/fhir+json; charset=utf-8"}}, "{}");
  EXPECT_EQ(r.status, 201);
  r = Send("POST", "/Patient", {{"content-type", "application/json"}}, "{}");
  EXPECT_EQ(r.status, 201);
}

TEST_F(DispatcherTest, RouteDeclaresItsOwnBodyTypes) {
  EXPECT_EQ(Send("POST", "/$translate", {{"content-type", "text/csv"}}, "a,b").status, 200);
  EXPECT_EQ(Send("POST", "/$translate", {{"content-type", "application/json"}}, "{}").status, 415);
}

TEST_F(DispatcherTest, HandlerExceptionIs500Outcome) {
  const Response r = Send("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(IsOutcome(r));
  EXPECT_EQ(r.body.find("kaput"), std::string::npos) << "exception text must not reach the client";
}

TEST_F(DispatcherTest, HealthEndpointsArePlainJsonAndIgnoreAccept) {
  Response r = Send("GET", "/healthz", {{"accept", "text/html"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kPlainJson);
  EXPECT_EQ(r.body, R"({"status":"pass"})");

  r = Send("GET", "/readyz");
  EXPECT_EQ(r.status, 503) << "not ready until the flag is set";
  health_.SetReady(true);
  r = Send("GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  health_.AddCheck("database", [] { return common::Unavailable("no connection"); });
  r = Send("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find(R"("name":"database","status":"fail")"), std::string::npos) << r.body;
}

TEST(ResponseTest, StatusMapsToHttp) {
  EXPECT_EQ(Response::FromStatus(common::InvalidArgument("x")).status, 400);
  EXPECT_EQ(Response::FromStatus(common::NotFound("x")).status, 404);
  EXPECT_EQ(Response::FromStatus(common::Unavailable("x")).status, 503);
  const Response internal = Response::FromStatus(common::Internal("secret detail"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("secret detail"), std::string::npos);
}

}  // namespace
}  // namespace workwell::api

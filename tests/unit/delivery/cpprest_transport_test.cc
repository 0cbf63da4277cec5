#include "adapter/delivery/cpprest_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "examples/workwell-service/workwell_service.h"
#include "tests/unit/delivery/delivery_fixture.h"

namespace workwell::delivery {
namespace {

using examples::Behaviour;
using examples::WorkWellService;

class CppRestTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = service_.Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    url_ = "http://127.0.0.1:" + std::to_string(*port) + "/fhir/$process-message";
  }

  OutboundRequest Request(const std::string& key, int64_t attempt = 1) {
    auto envelope = ReadEnvelope(MakePayload(key));
    EXPECT_TRUE(envelope.ok());
    OutboundRequest r;
    r.url = url_;
    r.headers = MakeBarsHeaders(envelope->headers, AttemptRequestId(envelope->message_id, attempt));
    r.body = envelope->bundle;
    r.timeout = std::chrono::milliseconds(2000);
    r.message_id = envelope->message_id;  // the service's response must name it
    return r;
  }

  // Sends on the transport and waits here (a test thread, not cpprestsdk's) for the outcome.
  SendOutcome Send(OutboundRequest request) {
    auto promise = std::make_shared<std::promise<SendOutcome>>();
    std::future<SendOutcome> future = promise->get_future();
    transport_.Send(std::move(request), [promise](SendOutcome outcome) { promise->set_value(std::move(outcome)); });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    return future.get();
  }

  WorkWellService service_;
  CppRestTransport transport_;
  std::string url_;
};

TEST_F(CppRestTransportTest, DeliversAndTheServiceAnswersOk) {
  SendOutcome out = Send(Request("t1"));
  EXPECT_EQ(out.result, SendResult::kDelivered) << out.detail;
  EXPECT_EQ(out.http_status, 200);
  EXPECT_EQ(service_.stats().processed, 1);
}

TEST_F(CppRestTransportTest, ServerErrorIsTransientThenRecovers) {
  service_.SetBehaviour({.fail_status = 503, .fail_count = 1});
  SendOutcome first = Send(Request("t2", 1));
  EXPECT_EQ(first.result, SendResult::kTransient) << first.detail;
  EXPECT_EQ(first.http_status, 503);
  SendOutcome second = Send(Request("t2", 2));
  EXPECT_EQ(second.result, SendResult::kDelivered) << second.detail;
  EXPECT_EQ(service_.processed_ids().at(StableUuid("case/t2")), 1);
}

TEST_F(CppRestTransportTest, TooManyRequestsIsTransient) {
  service_.SetBehaviour({.fail_status = 429, .fail_count = 1});
  EXPECT_EQ(Send(Request("t3")).result, SendResult::kTransient);
}

TEST_F(CppRestTransportTest, SlowServiceTimesOutAsTransient) {
  service_.SetBehaviour({.delay_ms = 3000});
  OutboundRequest r = Request("t4");
  r.timeout = std::chrono::milliseconds(300);
  SendOutcome out = Send(std::move(r));
  EXPECT_EQ(out.result, SendResult::kTransient) << out.detail;
  EXPECT_EQ(out.http_status, 0);
}

TEST_F(CppRestTransportTest, ClientErrorIsPermanent) {
  service_.SetBehaviour({.fail_status = 422, .fail_count = 1});
  SendOutcome out = Send(Request("t5"));
  EXPECT_EQ(out.result, SendResult::kPermanent) << out.detail;
  EXPECT_EQ(out.http_status, 422);
}

TEST_F(CppRestTransportTest, MissingRequestIdIsRejectedPermanently) {
  OutboundRequest r = Request("t6");
  std::erase_if(r.headers, [](const auto& h) { return h.first == "X-Request-Id"; });
  SendOutcome out = Send(std::move(r));
  EXPECT_EQ(out.result, SendResult::kPermanent);
  EXPECT_EQ(out.http_status, 400);
  EXPECT_NE(out.detail.find("X-Request-Id"), std::string::npos) << out.detail;
}

TEST_F(CppRestTransportTest, BadBundleIsRejectedPermanently) {
  OutboundRequest r = Request("t7");
  r.body = R"({"resourceType":"Bundle","id":"x","type":"collection"})";
  SendOutcome out = Send(std::move(r));
  EXPECT_EQ(out.result, SendResult::kPermanent);
  EXPECT_EQ(out.http_status, 400);
}

TEST_F(CppRestTransportTest, DuplicateIsSuccessAndProcessedOnce) {
  EXPECT_EQ(Send(Request("t8", 1)).result, SendResult::kDelivered);
  EXPECT_EQ(Send(Request("t8", 2)).result, SendResult::kDelivered);
  EXPECT_EQ(service_.stats().duplicates, 1);
  EXPECT_EQ(service_.processed_ids().at(StableUuid("case/t8")), 1);
}

TEST_F(CppRestTransportTest, DroppedConnectionIsTransientAndTheRetryUsesAFreshConnection) {
  // On a new connection (cpprestsdk itself re-sends once when a *reused* keep-alive connection
  // fails, which is harmless here because the service deduplicates by message id).
  service_.SetBehaviour({.drop_count = 1});
  SendOutcome dropped = Send(Request("t10", 1));
  EXPECT_EQ(dropped.result, SendResult::kTransient) << dropped.detail;
  EXPECT_EQ(dropped.http_status, 0);
  EXPECT_EQ(transport_.CachedClients(), 0u);
  EXPECT_EQ(Send(Request("t10", 2)).result, SendResult::kDelivered);
  EXPECT_EQ(service_.processed_ids().at(StableUuid("case/t10")), 1);
}

TEST_F(CppRestTransportTest, AnswerLostAfterProcessingIsRetriedAsADuplicate) {
  service_.SetBehaviour({.drop_after_process_count = 1});
  SendOutcome lost = Send(Request("t12", 1));
  EXPECT_EQ(lost.result, SendResult::kTransient) << lost.detail;
  EXPECT_EQ(Send(Request("t12", 2)).result, SendResult::kDelivered);
  EXPECT_EQ(service_.processed_ids().at(StableUuid("case/t12")), 1);
  EXPECT_EQ(service_.stats().duplicates, 1);
}

TEST_F(CppRestTransportTest, RefusedConnectionIsTransient) {
  service_.Stop();
  SendOutcome out = Send(Request("t11"));
  EXPECT_EQ(out.result, SendResult::kTransient) << out.detail;
}

}  // namespace
}  // namespace workwell::delivery

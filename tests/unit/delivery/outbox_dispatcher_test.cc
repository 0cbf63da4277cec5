#include "adapter/delivery/outbox_dispatcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "adapter/delivery/cpprest_transport.h"
#include "adapter/delivery/referral_outbox.h"
#include "adapter/routing/decision_engine.h"
#include "adapter/store/sqlite/sqlite_store.h"
#include "examples/workwell-service/workwell_service.h"
#include "tests/unit/delivery/delivery_fixture.h"

namespace workwell::delivery {
namespace {

using examples::Behaviour;
using examples::WorkWellService;

class OutboxDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = (std::filesystem::temp_directory_path() /
            ("workwell-delivery-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
               .string();
    store::sqlite::SqliteOptions options;
    options.data_dir = dir_;
    auto opened = store::sqlite::OpenStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    auto port = service_.Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    url_ = "http://127.0.0.1:" + std::to_string(*port) + "/fhir/$process-message";
    options_.poll_interval = std::chrono::milliseconds(10);
    options_.request_timeout = std::chrono::milliseconds(2000);
    options_.retry.initial_backoff_micros = 5000;
    options_.retry.max_backoff_micros = 50000;
    options_.retry.max_attempts = 10;
  }

  void TearDown() override {
    service_.Stop();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Enqueues one message per key in one transaction, as the routing transaction would.
  void Enqueue(const std::vector<std::string>& keys, const std::string& destination = "qhl-coaching") {
    store::StoreStatus status = store_->RunInTransaction([&](store::Transaction& tx) -> store::StoreStatus {
      for (const std::string& key : keys) {
        store::OutboxMessage m;
        m.destination = destination;
        m.payload = MakePayload(key);
        m.key = key;
        auto id = tx.Enqueue(m);
        if (!id.ok()) return id.status();
      }
      return store::StoreStatus::Ok();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Every destination to the test's service.
  DestinationResolver AnyToService() {
    return [this](const std::string&) -> std::optional<Destination> { return Destination{url_, 2, {}}; };
  }

  // Runs `io` on a new thread for up to 30 s (until it is stopped).
  static std::thread RunIo(boost::asio::io_context& io) {
    return std::thread([&io] {
      auto guard = boost::asio::make_work_guard(io);
      io.run_for(std::chrono::seconds(30));
    });
  }

  // Runs a dispatcher until `done` holds (or a deadline passes), then stops it cleanly.
  DispatcherStats Run(const std::function<bool(const DispatcherStats&)>& done, DestinationResolver resolver = {}) {
    boost::asio::io_context io;
    if (!resolver) {
      resolver = [this](const std::string& destination) -> std::optional<Destination> {
        if (destination != "qhl-coaching") return std::nullopt;
        return Destination{url_, 2, {}};
      };
    }
    OutboxDispatcher dispatcher(io, *store_, transport_, resolver, store::SystemMicros, [] { return 0.5; }, options_);
    dispatcher.Start();
    std::thread runner([&io] {
      auto guard = boost::asio::make_work_guard(io);
      io.run_for(std::chrono::seconds(60));
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done(dispatcher.stats()) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    dispatcher.Stop();
    while (!dispatcher.Idle() && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(dispatcher.Idle());
    io.stop();
    runner.join();
    return dispatcher.stats();
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  WorkWellService service_;
  CppRestTransport transport_;
  std::string url_;
  DispatcherOptions options_;
};

TEST_F(OutboxDispatcherTest, EveryMessageIsDeliveredExactlyOnceThroughFailures) {
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) keys.push_back("case-" + std::to_string(i));
  Enqueue(keys);
  // Refuse some, drop some before processing, and drop some answers after processing (the
  // retry then meets a duplicate).
  service_.SetBehaviour({.fail_status = 503, .fail_count = 3, .drop_count = 2, .drop_after_process_count = 3});
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.delivered + s.dead_lettered >= 20; });
  EXPECT_EQ(stats.delivered, 20);
  EXPECT_EQ(stats.dead_lettered, 0);
  EXPECT_GE(stats.retried, 3);  // the 503s; drops may be re-sent by cpprestsdk itself on a reused connection
  std::map<std::string, int> processed = service_.processed_ids();
  EXPECT_EQ(processed.size(), 20u);
  for (const std::string& key : keys) EXPECT_EQ(processed[StableUuid("case/" + key)], 1) << key;
  EXPECT_EQ(service_.stats().duplicates, 3);
  auto dead = store_->ListDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  EXPECT_TRUE(dead->empty());
  auto left = store_->ClaimOutbox({"check", 10, 1'000'000});
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty()) << "nothing is left to deliver";
}

TEST_F(OutboxDispatcherTest, PerServiceConcurrencyLimitHolds) {
  std::vector<std::string> keys;
  for (int i = 0; i < 8; ++i) keys.push_back("slow-" + std::to_string(i));
  Enqueue(keys);
  service_.SetBehaviour({.delay_ms = 50});
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.delivered >= 8; });  // limit 2 (Run)
  EXPECT_EQ(stats.delivered, 8);
  EXPECT_EQ(service_.stats().max_concurrent, 2);
}

TEST_F(OutboxDispatcherTest, StopWaitsForAPollAlreadyClaiming) {
  // A poll that is claiming when Stop comes must finish (and count what it claimed) before the
  // dispatcher says Idle; otherwise its sends would start after the owner has moved on.
  Enqueue({"claimed-late"});
  store::sqlite::SqliteOptions other;
  other.data_dir = dir_;
  auto second = store::sqlite::OpenStore(other);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  std::promise<void> locked;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread holder([&] {
    // Holds the write lock, so the dispatcher's first ClaimOutbox waits for it.
    store::StoreStatus st = (*second)->RunInTransaction([&](store::Transaction&) -> store::StoreStatus {
      locked.set_value();
      released.wait();
      return store::StoreStatus::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  });
  locked.get_future().wait();
  boost::asio::io_context io;
  OutboxDispatcher dispatcher(io, *store_, transport_, AnyToService(), store::SystemMicros, [] { return 0.5; }, options_);
  dispatcher.Start();
  std::thread runner = RunIo(io);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the first poll waits in ClaimOutbox by now
  dispatcher.Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(dispatcher.Idle()) << "a poll is still claiming";
  release.set_value();
  holder.join();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!dispatcher.Idle() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(dispatcher.Idle());
  io.stop();
  runner.join();
  // What that poll claimed was sent and recorded before Idle: nothing is left claimed or pending.
  EXPECT_EQ(dispatcher.stats().delivered, 1);
  EXPECT_EQ(service_.processed_ids()[StableUuid("case/claimed-late")], 1);
  auto left = store_->ClaimOutbox({"check", 10, 1'000'000});
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_F(OutboxDispatcherTest, SendOutlivingItsDispatcherIsDroppedThenSentAgainOnce) {
  // The answer to an open send arrives after its dispatcher is gone (a shutdown whose grace ran
  // out): it must reach nothing, and the entry, still claimed, goes out again once its lease ends.
  Enqueue({"outlived"});
  service_.SetBehaviour({.delay_ms = 400});
  options_.lease_micros = 300'000;
  boost::asio::io_context io;  // outlives the dispatcher and runs again after it, so a callback
                               // that still reached the dispatcher's strand would run
  {
    OutboxDispatcher dispatcher(io, *store_, transport_, AnyToService(), store::SystemMicros, [] { return 0.5; },
                                options_);
    dispatcher.Start();
    std::thread runner = RunIo(io);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (service_.stats().received < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(service_.stats().received, 1);
    dispatcher.Stop();
    EXPECT_FALSE(dispatcher.Idle()) << "the send is still open";
    io.stop();
    runner.join();
  }  // destroyed with the send open
  io.restart();
  std::thread after([&io] {
    auto guard = boost::asio::make_work_guard(io);
    io.run_for(std::chrono::milliseconds(600));  // the answer comes and goes meanwhile
  });
  after.join();
  auto entry = store_->ClaimOutbox({"check", 10, 1'000'000});
  ASSERT_TRUE(entry.ok());
  ASSERT_EQ(entry->size(), 1u) << "the entry was not recorded as delivered, so it is due again";
  ASSERT_TRUE(store_->ReleaseOutboxClaims("check").ok());
  service_.SetBehaviour({});
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.delivered >= 1; });
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(service_.processed_ids()[StableUuid("case/outlived")], 1);
  EXPECT_EQ(service_.stats().duplicates, 1) << "the second send met the first one's processing";
}

TEST_F(OutboxDispatcherTest, ClientErrorIsDeadLetteredAtOnce) {
  Enqueue({"bad-1", "bad-2"});
  service_.SetBehaviour({.fail_status = 400, .fail_count = -1});
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.dead_lettered >= 2; });
  EXPECT_EQ(stats.dead_lettered, 2);
  EXPECT_EQ(stats.retried, 0);
  auto dead = store_->ListDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  EXPECT_EQ((*dead)[0].attempts, 1);
  EXPECT_NE((*dead)[0].last_error.find("HTTP 400"), std::string::npos) << (*dead)[0].last_error;
}

TEST_F(OutboxDispatcherTest, SpentRetryBudgetIsDeadLetteredThenAnOperatorRequeues) {
  Enqueue({"down-1"});
  options_.retry.max_attempts = 3;
  service_.SetBehaviour({.fail_status = 503, .fail_count = -1});
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.dead_lettered >= 1; });
  EXPECT_EQ(stats.retried, 2);
  EXPECT_EQ(stats.dead_lettered, 1);
  auto dead = store_->ListDeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].attempts, 3);
  EXPECT_NE((*dead)[0].last_error.find("retry budget spent"), std::string::npos);

  // The service recovers; an operator requeues the dead letter and it is delivered.
  service_.SetBehaviour({});
  ASSERT_TRUE(store_->RequeueDeadLetter((*dead)[0].id).ok());
  DispatcherStats again = Run([](const DispatcherStats& s) { return s.delivered >= 1; });
  EXPECT_EQ(again.delivered, 1);
  EXPECT_EQ(service_.stats().processed, 1);
}

TEST_F(OutboxDispatcherTest, UnknownDestinationAndBadPayloadAreDeadLettered) {
  Enqueue({"lost-1"}, "no-such-service");
  store::StoreStatus status = store_->RunInTransaction([](store::Transaction& tx) -> store::StoreStatus {
    auto id = tx.Enqueue({"qhl-coaching", "not an envelope", "broken", std::nullopt});
    return id.ok() ? store::StoreStatus::Ok() : id.status();
  });
  ASSERT_TRUE(status.ok());
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.dead_lettered >= 2; });
  EXPECT_EQ(stats.dead_lettered, 2);
  EXPECT_EQ(service_.stats().received, 0);
}

TEST_F(OutboxDispatcherTest, RoutedCaseIsStoredAndDeliveredToTheChosenServiceInOneTransaction) {
  // The shipped config, with the chosen service pointed at the loopback service.
  auto loaded = routing::LoadRoutingConfig(WORKWELL_SOURCE_DIR "/config/routing");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto config = std::make_shared<routing::RoutingConfig>(**loaded);
  for (routing::Service& s : config->icbs.at("QHL").services) {
    s.endpoint = url_.substr(0, url_.size() - std::string("/$process-message").size());
  }
  routing::DecisionEngine engine(config, [] { return *routing::ParseDate("2026-03-20"); });
  routing::CaseSummary summary;
  summary.practice_ods = "M85001";
  summary.absence_start = "2026-03-01";
  summary.fit_note_date = "2026-03-10";
  summary.consent_to_referral = true;
  summary.gp_referral = true;
  summary.condition_category = "musculoskeletal";
  summary.requested_tier = "clinical-msk";
  routing::RoutingDecision decision = engine.Decide(summary);
  ASSERT_EQ(decision.outcome, routing::Outcome::kRoute);
  ASSERT_NE(decision.service, nullptr);
  EXPECT_EQ(decision.service->id, "qhl-msk");

  CaseResources resources("e2e");
  ReferralCase referral;
  referral.case_key = "e2e";
  referral.timestamp = "2026-03-10T09:30:00Z";
  referral.source = {"WorkWell gateway", "https://gateway.example.org/fhir"};
  referral.sender_organization_id = "e2e-gp";
  referral.receiver_organization_id = "e2e-ww";
  referral.resources = resources.Pointers();
  store::StoreStatus status = store_->RunInTransaction([&](store::Transaction& tx) -> store::StoreStatus {
    for (const json::Value* resource : resources.Pointers()) {
      auto written = tx.Update(*resource);
      if (!written.ok()) return written.status();
    }
    auto message = MakeReferralMessage(*decision.service, referral);
    if (!message.ok()) return {store::StoreCode::kInvalid, message.status().message()};
    auto id = tx.Enqueue(*message);
    return id.ok() ? store::StoreStatus::Ok() : id.status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();

  auto resolver = MakeDestinationResolver(config, [](const char*) -> const char* { return "t"; });
  ASSERT_TRUE(resolver.ok()) << resolver.status().ToString();
  DispatcherStats stats = Run([](const DispatcherStats& s) { return s.delivered >= 1; }, *resolver);
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(service_.processed_ids().count(StableUuid("case/e2e/new")), 1u);
  EXPECT_TRUE(store_->Read("ServiceRequest", "e2e-sr").ok());
}

}  // namespace
}  // namespace workwell::delivery

#pragma once
// Delivers the store's outbox: claims due entries, sends each as a BaRS message through a
// Transport, and records the result — completed, pending again after a backoff, or dead-lettered
// (a permanent refusal, an unknown destination, an unreadable payload, or the retry budget
// spent). Entries are written by the transaction that routes a case (store::Transaction::
// Enqueue), so a routed case is delivered even if the process stops between routing and
// sending; a message the service already has is answered as a duplicate and counts as delivered,
// so each case reaches its service exactly once.
//
// Threading: all state lives on one Boost.Asio strand of the io_context given. The store's
// outbox calls block on the database, so give the dispatcher its own io_context (and thread),
// never an HTTP I/O context. Transport callbacks are posted back onto the strand.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "adapter/delivery/bars_message.h"
#include "adapter/delivery/retry_policy.h"
#include "adapter/delivery/transport.h"
#include "adapter/store/store.h"

namespace workwell::delivery {

// Where an outbox destination (a service id) is delivered.
struct Destination {
  std::string url;                 // the service's $process-message URL
  size_t max_concurrency = 4;      // deliveries in flight to it
  HeaderList extra_headers;        // e.g. Authorization, resolved from the env var the config names
  // Known but not sendable now (e.g. its credential is missing): its messages go back to the
  // outbox for `hold_retry` and are not dead-lettered.
  bool held = false;
  std::string hold_reason;
};

// Resolves an outbox destination; nullopt when unknown (the entry is dead-lettered).
using DestinationResolver = std::function<std::optional<Destination>(const std::string& destination)>;

// How a delivery ended, for whoever tracks the case the message belongs to (its Task).
enum class DeliveryEvent {
  kDelivered,  // the service has the message (2xx, or a duplicate)
  kRejected,   // the service refused it for good (a 4xx or a fatal-error response)
  kFailed,     // dead-lettered without a refusal: retry budget spent, unknown destination, bad payload
};

// Called on the dispatcher's strand when a delivery ends, BEFORE the outbox records the outcome,
// so a crash in between repeats the call (it must be idempotent). It may block on the store.
using DeliveryObserver =
    std::function<void(const store::OutboxEntry& entry, DeliveryEvent event, const std::string& detail)>;

// Upper bounds (seconds) of the delivery latency histogram buckets, as in /metrics.
inline constexpr double kLatencyBuckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

struct DispatcherOptions {
  std::string worker = "gateway";                 // recorded on claims
  size_t max_in_flight = 32;                      // claimed and not yet finished, over all services
  int64_t lease_micros = 120'000'000;             // must exceed the longest queue wait + timeout
  std::chrono::milliseconds poll_interval{500};   // when the outbox was empty
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds hold_retry{60000};     // when a held destination is looked at again
  RetryPolicy retry;
  DeliveryObserver observer;  // optional
};

// Counters, readable from any thread.
struct DispatcherStats {
  int64_t delivered = 0;
  int64_t retried = 0;        // transient failures rescheduled
  int64_t dead_lettered = 0;
  int64_t store_errors = 0;   // claim/complete/fail calls that failed (including lost claims)
  int64_t attempts = 0;       // sends started
  int64_t held = 0;           // claims put back because their destination is held
  // Send latency: counts per kLatencyBuckets bound (cumulative, as Prometheus wants), count, sum.
  std::vector<int64_t> latency_buckets;
  int64_t latency_count = 0;
  double latency_sum_seconds = 0;
};

class OutboxDispatcher {
 public:
  // `store` and `io` must outlive the dispatcher; `transport` must outlive it or outlive nothing
  // it is given (see CppRestTransport). Stop, then wait for Idle() before destroying it: a send
  // still open when it is destroyed anyway (the grace ran out) is dropped when it ends, its entry
  // stays claimed until the lease runs out and is then sent again (the receiver deduplicates by
  // message id), so nothing is lost and no callback reaches a destroyed dispatcher. `clock`
  // gives the store's time (microseconds since the epoch) for retry times; `random` feeds the
  // backoff jitter.
  OutboxDispatcher(boost::asio::io_context& io, store::Store& store, Transport& transport,
                   DestinationResolver resolver, store::Clock clock, RandomSource random,
                   DispatcherOptions options);
  ~OutboxDispatcher();

  // Starts polling on the strand. Call once.
  void Start();
  // Stops claiming new entries; sends in flight finish and are recorded. Thread-safe.
  void Stop();
  // True when stopped, no poll is running (the strand has passed the stop) and nothing is in
  // flight or queued. Thread-safe.
  bool Idle() const { return drained_.load() && busy_.load() == 0; }

  DispatcherStats stats() const;

 private:
  struct Job {
    store::OutboxEntry entry;
    Envelope envelope;
    Destination destination;
    std::chrono::steady_clock::time_point started{};
  };

  void Poll();
  void SchedulePoll(std::chrono::milliseconds delay);
  void Pump(const std::string& destination);
  void StartSend(Job job);
  void OnSent(Job job, SendOutcome outcome);
  void DeadLetter(const store::OutboxEntry& entry, const std::string& error, DeliveryEvent event);
  void Observe(const store::OutboxEntry& entry, DeliveryEvent event, const std::string& detail);
  void RecordLatency(std::chrono::steady_clock::duration elapsed);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer timer_;
  store::Store& store_;
  Transport& transport_;
  DestinationResolver resolver_;
  store::Clock clock_;
  RandomSource random_;
  DispatcherOptions options_;

  ConcurrencyLimiter limiter_;
  std::map<std::string, std::deque<Job>> queues_;  // waiting for a slot, by destination
  size_t queued_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> drained_{false};  // set on the strand after Stop: no Poll runs or will run
  // Whether the dispatcher still exists, for transport callbacks that end after it is gone.
  struct Lifeline {
    std::mutex mutex;
    bool alive = true;
  };
  std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();
  std::atomic<int64_t> busy_{0};  // claimed entries not yet recorded
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> retried_{0};
  std::atomic<int64_t> dead_lettered_{0};
  std::atomic<int64_t> store_errors_{0};
  std::atomic<int64_t> attempts_{0};
  std::atomic<int64_t> held_{0};
  mutable std::mutex latency_mutex_;
  std::vector<int64_t> latency_buckets_ = std::vector<int64_t>(std::size(kLatencyBuckets), 0);
  int64_t latency_count_ = 0;
  double latency_sum_seconds_ = 0;
};

}  // namespace workwell::delivery
